/**
 * The OS's packet counters per interface (interfaceCounters), sampled about once a second while the
 * start screen is shown: a short history per interface, from which the picker draws packet rates the
 * way Wireshark's start screen does. Nothing is captured for this; the host only reads counters.
 */
import type { Slice } from './slice';
import type { CallResponse } from '../../shared/ipc/contract';

/** Samples kept per interface: a minute at one a second. */
export const MAX_COUNTER_SAMPLES = 60;
/** Interfaces tracked at once (the contract allows up to 1024 in an answer). */
const MAX_TRACKED = 1024;

export interface PacketSample {
  /** The host's clock, ms. */
  t: number;
  packets: number;
}

export type IfaceCountersState =
  | { kind: 'unknown' }
  | { kind: 'sampling' }
  /** The host answered supported: false, or does not know the call: the picker shows what it did before. */
  | { kind: 'unsupported' }
  | { kind: 'failed'; message: string };

export interface IfaceRatesSlice {
  ifaceCounters: IfaceCountersState;
  /** Per interface name, oldest first. */
  ifaceSamples: ReadonlyMap<string, readonly PacketSample[]>;
  addIfaceCounters(answer: CallResponse<'interfaceCounters'>): void;
  setIfaceCountersState(state: IfaceCountersState): void;
}

const WRAP32 = 2 ** 32;

/**
 * Packets between two readings of one counter. A counter that went down either wrapped (a 32-bit
 * counter, as some OSes keep, that was in its upper half) or was reset (the interface came back, the
 * driver reloaded): then it counted up from zero, so the new reading is what passed since.
 */
export function packetDelta(before: number, after: number): number {
  if (after >= before) return after - before;
  if (before < WRAP32 && before >= WRAP32 / 2 && after < WRAP32 / 2) return after + WRAP32 - before;
  return after;
}

/** Packets per second between consecutive samples; intervals whose clock did not move are skipped. */
export function packetRates(samples: readonly PacketSample[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dt = (b.t - a.t) / 1000;
    if (dt > 0) out.push(packetDelta(a.packets, b.packets) / dt);
  }
  return out;
}

/** One answer added to the histories: interfaces absent from it or without a packet count are dropped. */
export function addCounterSample(
  prev: ReadonlyMap<string, readonly PacketSample[]>,
  answer: CallResponse<'interfaceCounters'>,
  max = MAX_COUNTER_SAMPLES,
): Map<string, readonly PacketSample[]> {
  const next = new Map<string, readonly PacketSample[]>();
  for (const i of answer.interfaces) {
    if (next.size >= MAX_TRACKED) break;
    if (i.packets === null || next.has(i.name)) continue;
    const held = prev.get(i.name) ?? [];
    const last = held[held.length - 1];
    // The host's clock went back (a restarted host): the old readings no longer compare.
    const base = last && answer.at < last.t ? [] : held;
    if (last && answer.at === last.t) {
      next.set(i.name, held);
      continue;
    }
    next.set(i.name, [...base.slice(-(max - 1)), { t: answer.at, packets: i.packets }]);
  }
  return next;
}

export const ifaceRatesSlice: Slice<IfaceRatesSlice> = (set, get) => ({
  ifaceCounters: { kind: 'unknown' },
  ifaceSamples: new Map(),
  addIfaceCounters: (answer) => {
    if (!answer.supported) {
      set({ ifaceCounters: { kind: 'unsupported' }, ifaceSamples: new Map() });
      return;
    }
    set({ ifaceCounters: { kind: 'sampling' }, ifaceSamples: addCounterSample(get().ifaceSamples, answer) });
  },
  // Anything but a new reading ends the current histories: the next ones start afresh.
  setIfaceCountersState: (ifaceCounters) => set({ ifaceCounters, ifaceSamples: new Map() }),
});
