/** What a learning period needs to be restored after a restart. */
export interface LearningState {
  /** Capture time (ms) the learning began: the first packet the baseline saw; null before any. */
  start: number | null;
  /** Capture time (ms) it was ended explicitly; null while it runs its course. */
  endedAt: number | null;
  durationMs: number;
}

/** One hour of capture time: long enough to see periodic polls, DHCP renewals and discovery chatter. */
export const DEFAULT_LEARNING_MS = 60 * 60 * 1000;

/**
 * The learning period, on the capture's clock (not the wall clock), so that an hour-long capture
 * analysed in seconds learns exactly as a live sensor would. Everything seen before it ends is the
 * baseline; alerts are raised only for what happens after.
 */
export class LearningPeriod {
  start: number | null;
  endedAt: number | null;
  durationMs: number;
  /** The latest capture time seen. */
  now = -Infinity;

  constructor(s: Partial<LearningState> = {}) {
    this.start = s.start ?? null;
    this.endedAt = s.endedAt ?? null;
    this.durationMs = s.durationMs ?? DEFAULT_LEARNING_MS;
  }

  /** Move the capture clock; the first time seen starts the period. */
  advance(ts: number): void {
    if (!Number.isFinite(ts) || ts <= 0) return;
    if (this.start === null || ts < this.start) {
      // Out-of-order frames may start earlier than the first one read; never after an explicit end.
      if (this.start === null || this.endedAt === null) this.start = ts;
    }
    if (ts > this.now) this.now = ts;
  }

  /** Capture time the learning ends (or ended). */
  get end(): number {
    if (this.endedAt !== null) return this.endedAt;
    return this.start === null ? Infinity : this.start + this.durationMs;
  }

  /** Whether something that happened at capture time `ts` belongs to the baseline. */
  learning(ts: number): boolean {
    if (this.endedAt !== null) return ts < this.endedAt;
    return this.start === null || ts < this.end;
  }

  /** End learning now (at the latest capture time seen, or at `ts`). */
  endNow(ts = this.now): void {
    this.endedAt = Number.isFinite(ts) ? ts : 0;
    if (this.start === null) this.start = this.endedAt;
  }

  get done(): boolean {
    return this.endedAt !== null || (this.start !== null && this.now >= this.end);
  }

  state(): LearningState {
    return { start: this.start, endedAt: this.endedAt, durationMs: this.durationMs };
  }
}
