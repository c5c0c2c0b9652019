import type { Packet } from '../../decode/packet';
import type { AppContext } from '../contract';
import type { Sink } from './emit';
import type { End } from './refs';

/**
 * The polling period of one master and one device (a pair of addresses, per protocol). A master reads
 * the same registers, tags or objects of a device over and over; a cycle often holds several requests
 * back to back, so the interval between any two requests says nothing, while that between two copies
 * of one request (same function, same address: its signature, without transaction ids or sequence
 * numbers) is its cycle. Each signature's last intervals give its period when they are regular; the
 * pair's period is the shortest of those (a master reads some values every second and others every
 * minute: it polls every second), stated once the device has answered (requests into the void poll
 * nothing). Kept per pair, not per flow: a master that opens a new connection for every poll
 * (connect, read, close) gives no one flow the repeats a period needs.
 * Bounded: a few signatures with a few intervals each per pair, no allocation per request.
 */

/** Signatures followed per pair (the requests of one cycle); a new one replaces the least recent. */
export const POLL_SIGNATURES = 8;
/** Intervals kept per signature (odd: the median is one of them); a period needs that many repeats. */
export const POLL_INTERVALS = 5;
/** A longer gap is not polling (a restart, a gap in the capture): not counted. */
export const POLL_MAX_GAP_MS = 15 * 60_000;
/** A period is stated again only when it moved by more than this factor (jitter is not news). */
export const POLL_RESTATE = 2;
/**
 * Polling is regular: the second-shortest and second-longest of a signature's intervals lie within
 * this factor of their median. Bursts of repeats (an engineering tool browsing, retries) are not a period.
 */
export const POLL_SPREAD = 1.5;

const scratch = new Float32Array(POLL_INTERVALS);

export class PollMeter {
  private readonly sigs = new Int32Array(POLL_SIGNATURES);
  private readonly lastAt = new Float64Array(POLL_SIGNATURES);
  private readonly ring = new Float32Array(POLL_SIGNATURES * POLL_INTERVALS);
  private readonly count = new Uint8Array(POLL_SIGNATURES);
  private readonly at = new Uint8Array(POLL_SIGNATURES);
  /** Each signature's regular period, 0 while it has none. */
  private readonly period = new Float32Array(POLL_SIGNATURES);
  private sigCount = 0;
  private stated = 0;
  private answered = false;

  /** The device answered the master: only a device that answers is stated as polled. */
  answer(): void {
    this.answered = true;
  }

  /**
   * A request with signature `sig` (a 32-bit hash) at capture time `ts` (ms). Returns the period in
   * ms to state now (the first time, or when it moved), else -1.
   */
  request(sig: number, ts: number): number {
    sig |= 0;
    let i = 0;
    while (i < this.sigCount && this.sigs[i] !== sig) i++;
    if (i === this.sigCount) {
      if (this.sigCount < POLL_SIGNATURES) this.sigCount++;
      else {
        // The signature heard least recently gives way.
        i = 0;
        for (let j = 1; j < POLL_SIGNATURES; j++) if (this.lastAt[j]! < this.lastAt[i]!) i = j;
      }
      this.sigs[i] = sig;
      this.lastAt[i] = ts;
      this.count[i] = 0;
      this.at[i] = 0;
      this.period[i] = 0;
      return -1;
    }
    const dt = ts - this.lastAt[i]!;
    this.lastAt[i] = ts;
    if (!(dt > 0 && dt <= POLL_MAX_GAP_MS)) return -1;
    const base = i * POLL_INTERVALS;
    this.ring[base + this.at[i]!] = dt;
    this.at[i] = (this.at[i]! + 1) % POLL_INTERVALS;
    if (this.count[i]! < POLL_INTERVALS) this.count[i]!++;
    if (this.count[i]! < POLL_INTERVALS) return -1;
    scratch.set(this.ring.subarray(base, base + POLL_INTERVALS));
    scratch.sort();
    const m = scratch[POLL_INTERVALS >> 1]!;
    const regular = scratch[1]! * POLL_SPREAD >= m && scratch[POLL_INTERVALS - 2]! <= m * POLL_SPREAD;
    this.period[i] = regular ? m : 0;
    let best = 0;
    for (let j = 0; j < this.sigCount; j++) {
      const v = this.period[j]!;
      if (v > 0 && (best === 0 || v < best)) best = v;
    }
    if (best === 0 || !this.answered) return -1;
    if (this.stated > 0 && best < this.stated * POLL_RESTATE && best * POLL_RESTATE > this.stated) return -1;
    this.stated = best;
    return best;
  }
}

const newMeter = (): PollMeter => new PollMeter();

/**
 * The meter of this packet's master and device for `protocol` (AppContext.pairState: across
 * connections, kept when a flow ends), `master` being the end that sends the requests: 'src' for a
 * request, 'dst' for an answer.
 */
export function pairMeter(ctx: AppContext, p: Packet, protocol: string, master: End): PollMeter {
  return ctx.pairState(p, protocol, master, newMeter);
}

/** Flow state that keeps its pair's meter (flowMeter). */
export interface MeteredFlow {
  meter: PollMeter | null;
}

/**
 * pairMeter, looked up once per flow and kept in its state: for a TCP connection, whose client is
 * the same master on every packet, so routine reads and answers cost no pair lookup. Not for UDP,
 * where both ends may share one port and one flow carry polls both ways.
 */
export function flowMeter(
  ctx: AppContext,
  p: Packet,
  f: MeteredFlow,
  protocol: string,
  master: End,
): PollMeter {
  return (f.meter ??= pairMeter(ctx, p, protocol, master));
}

/** Steps a period is rounded to within each decade: near values say the same (15 s and 16 s polls). */
const STEPS = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** A period as the device record shows it: milliseconds on the 1-1.2-1.5-2-2.5-3-4-5-6-8 steps ("1000 ms"). */
export function periodText(ms: number): string {
  if (!(ms > 0)) return '0 ms';
  const decade = Math.pow(10, Math.floor(Math.log10(ms)));
  const x = ms / decade;
  let best = 1;
  for (const s of STEPS) if (Math.abs(Math.log(x / s)) < Math.abs(Math.log(x / best))) best = s;
  const v = best * decade;
  return (v >= 1 ? Math.round(v * 10) / 10 : Math.round(v * 1000) / 1000) + ' ms';
}

/** FNV-1a over `n` bytes at `o` of `w`, folded into `h`: a request's signature from its own bytes. */
export function signature(
  w: { u8(o: number): number; readonly length: number },
  o: number,
  n: number,
  h = 0x811c9dc5,
): number {
  const end = Math.min(o + n, w.length);
  for (let i = o; i < end; i++) h = Math.imul(h ^ w.u8(i), 0x01000193);
  return h | 0;
}

/** Field and attribute keys the period is stated with: each polled protocol declares them. */
export const POLL_FIELD = 'poll';
export const POLL_KEYS = ['polled-every', 'polls-every'] as const;

interface PollEmitter {
  attribute(
    ctx: Sink,
    p: Packet,
    a: { end: End; field: typeof POLL_FIELD; key: (typeof POLL_KEYS)[number]; value: string },
  ): void;
}

/**
 * State a period: the device (`device`: the end that is polled, or that produces cyclic I/O) is
 * `polled every`, the other end, the master, `polls every`.
 */
export function statePeriod(em: PollEmitter, ctx: Sink, p: Packet, ms: number, device: End): void {
  const value = periodText(ms);
  em.attribute(ctx, p, { end: device, field: POLL_FIELD, key: 'polled-every', value });
  em.attribute(ctx, p, {
    end: device === 'dst' ? 'src' : 'dst',
    field: POLL_FIELD,
    key: 'polls-every',
    value,
  });
}
