import type { Analyzer } from '../../shared/engine/analyzer';
import { ChangeStream, type DeltaBatch } from '../../shared/inventory/changes';
import type { AlertEngine, AlertEngineOptions } from '../../shared/alerts/engine';
import type { AlertJson } from '../../shared/model/alert';
import { attachAlertEngine, LEARNING_KEY, learningMeta } from './alert-feed';
import type { Store } from './store';
import type { CommitResult } from './work';

export interface RecorderOptions {
  /** How often the change stream is collected and committed (ms); default 200. */
  intervalMs?: number;
  /** Learning period in capture-time ms, used when the database has none stored yet (default one hour). */
  learnMs?: number;
  alerts?: Omit<AlertEngineOptions, 'learning'>;
  /** Collect devices with their evidence (bigger rows). */
  evidence?: boolean;
  /** Collect devices with their identity section (default on; the UI's live deltas leave it out). */
  identity?: boolean;
  /** Trouble from a timer tick or a listener; a failed commit also stops the recording (`recording`). */
  onError?: (e: unknown) => void;
}

/** One collection of a run: what changed, what the store made of it, and the alerts it raised. */
export interface Recorded {
  /** The change stream's batch; null when only alerts raised without a device change are recorded. */
  delta: DeltaBatch | null;
  /** The commit (the store's merged and edited views, its sequence number); null without a store. */
  stored: CommitResult | null;
  /** Alerts raised now; with a store, only the ones it did not hold (re-analysis raises none again). */
  alerts: AlertJson[];
}

export type RecordListener = (r: Recorded) => void;

/**
 * The one recording loop every host runs (the desktop engine, `serve`, `analyze --db`, sensors):
 * for one run's analyzer it owns the change stream and the alert engine, and every `intervalMs`
 * collects the stream, derives alerts, commits both to the store in one transaction (when there is
 * one) and hands the result to listeners. A killed process loses at most the batch in progress. A
 * commit that fails (a full disk) stops the recording; the run goes on without it.
 */
export class Recorder {
  readonly stream: ChangeStream;
  readonly alerts: AlertEngine;
  private store: Store | null;
  private readonly listeners = new Set<RecordListener>();
  private timer: ReturnType<typeof setInterval> | null = null;

  /** Throws when a store is given and its saved baseline cannot be read. */
  constructor(
    readonly analyzer: Analyzer,
    store: Store | null,
    private readonly o: RecorderOptions = {},
  ) {
    this.store = store;
    this.stream = new ChangeStream(analyzer);
    // The alert rules need the observations themselves (OT events, DHCP server roles), not only the
    // devices they end up in: the feed observes the analyzer.
    this.alerts = attachAlertEngine(analyzer, store, o);
  }

  /** Whether batches are still committed to a store. */
  get recording(): boolean {
    return this.store !== null;
  }

  on(l: RecordListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  start(): this {
    if (this.timer === null) {
      this.timer = setInterval(() => {
        try {
          this.tick();
        } catch (e) {
          this.o.onError?.(e);
        }
      }, this.o.intervalMs ?? 200);
      // The host decides when the process ends, not the recorder.
      this.timer.unref?.();
    }
    return this;
  }

  /** Stop the timer and record whatever is left, with the run's final counters. */
  stop(): Recorded | null {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const out = this.tick();
    // A source that ended after the last batch (its entry in stats.sources) changed no device: the
    // store would otherwise show the counters of the last batch, which depends on the timer.
    try {
      this.store?.keepStats(this.analyzer.stats());
    } catch (e) {
      this.store = null;
      this.o.onError?.(e);
    }
    return out;
  }

  /** Collect, derive, commit, hand on: one batch, or null when nothing changed. */
  tick(): Recorded | null {
    const delta = this.stream.collect(this.o.evidence === true, this.o.identity !== false);
    // Observations alone (an OT event on a device that did not change) can raise alerts.
    if (delta === null && !this.alerts.hasPending) return null;
    const raised = delta === null ? this.alerts.drain() : this.alerts.batch(delta);
    let stored: CommitResult | null = null;
    if (this.store !== null) {
      const meta = learningMeta(this.alerts);
      try {
        stored =
          delta === null ? this.store.commitAlerts(raised, meta) : this.store.commit(delta, raised, meta);
      } catch (e) {
        this.store = null;
        this.o.onError?.(e);
      }
    }
    const out: Recorded = { delta, stored, alerts: stored?.alerts ?? raised };
    for (const l of this.listeners) {
      try {
        l(out);
      } catch (e) {
        this.o.onError?.(e);
      }
    }
    return out;
  }

  /** End the learning period now (at the latest capture time): from here on, changes raise alerts. */
  endLearning(): void {
    this.alerts.endLearning();
    this.store?.setMeta(LEARNING_KEY, JSON.stringify(this.alerts.learning.state()));
  }
}
