import type { Slice } from './slice';
import { IDLE_STATUS, type CaptureStatus } from '../../shared/ipc/contract';

/** One reading of the capture counters, for rates and sparklines. */
export interface CounterSample {
  t: number;
  packets: number;
  bytes: number;
  drops: number;
}

/** Readings kept: at the engine's 200 ms cadence, about a minute. */
const MAX_SAMPLES = 300;

export interface CaptureSlice {
  capture: CaptureStatus;
  /** Counter readings of the current run, oldest first. */
  samples: readonly CounterSample[];
  /** When the current run started (epoch ms, this page's clock); null when none has. */
  runStartedAt: number | null;
  /** The last refusal of a user action (open, start), shown until the next action. */
  actionError: string | null;
  setCapture(status: CaptureStatus): void;
  setActionError(message: string | null): void;
}

const sameSource = (a: CaptureStatus['source'], b: CaptureStatus['source']) =>
  JSON.stringify(a) === JSON.stringify(b);

export const captureSlice: Slice<CaptureSlice> = (set, get) => ({
  capture: IDLE_STATUS,
  samples: [],
  runStartedAt: null,
  actionError: null,
  setCapture: (capture) => {
    const prev = get();
    const now = Date.now();
    // A new run: a new source, or counters that went backwards.
    const fresh =
      capture.state === 'starting' ||
      !sameSource(prev.capture.source, capture.source) ||
      capture.counters.packets < prev.capture.counters.packets;
    const base = fresh ? [] : prev.samples;
    const c = capture.counters;
    const sample: CounterSample = { t: now, packets: c.packets, bytes: c.bytes, drops: c.drops };
    const samples = capture.state === 'idle' ? base : [...base.slice(-(MAX_SAMPLES - 1)), sample];
    set({
      capture,
      samples,
      runStartedAt: fresh ? (capture.state === 'idle' ? null : now) : prev.runStartedAt,
    });
  },
  setActionError: (actionError) => set({ actionError }),
});
