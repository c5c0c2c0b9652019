import type { Analyzer } from '../../shared/engine/analyzer';
import type { ChangeStream, DeltaBatch } from '../../shared/inventory/changes';
import type { AlertEngine, AlertEngineOptions } from '../../shared/alerts/engine';
import { attachAlertEngine, LEARNING_KEY, learningMeta } from './alert-feed';
import type { CommitResult, Store } from './store';
import type { EditableField, StoredDevice, TimelineEntry } from './types';

export interface RecorderOptions {
  /** How often the change stream is collected and committed (ms); default 200. */
  intervalMs?: number;
  /** Learning period in capture-time ms, used when the database has none stored yet (default one hour). */
  learnMs?: number;
  alerts?: Omit<AlertEngineOptions, 'learning'>;
  /** Collect devices with their evidence (bigger rows). */
  evidence?: boolean;
}

/** A batch as the hosts receive it: devices as shown (merges, manual edits), with alerts and the timeline. */
export interface RecordedBatch extends Omit<DeltaBatch, 'upserts'> {
  /** The store's sequence number: it keeps counting across restarts. */
  seq: number;
  upserts: StoredDevice[];
  timeline: TimelineEntry[];
}

export type BatchListener = (b: RecordedBatch) => void;

/**
 * What the engine hosts (Electron, WebSocket, sensor, analyze --db) run: every `intervalMs` it
 * collects the change stream, derives alerts, commits the batch in one transaction and hands the
 * result to listeners. A killed process loses at most the batch in progress (one interval).
 */
export class Recorder {
  readonly alerts: AlertEngine;
  private readonly listeners = new Set<BatchListener>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastStats: DeltaBatch['stats'] | null = null;
  private readonly evidence: boolean;
  /** Errors from timer ticks (a full disk, say): reported, never thrown into the timer. */
  onError: (e: unknown) => void = () => {};

  constructor(
    readonly analyzer: Analyzer,
    readonly stream: ChangeStream,
    readonly store: Store,
    private readonly o: RecorderOptions = {},
  ) {
    // The alert rules need the observations themselves (OT events, DHCP server roles), not only the
    // devices they end up in: the feed observes the analyzer.
    this.alerts = attachAlertEngine(analyzer, store, o);
    this.evidence = o.evidence === true;
  }

  on(l: BatchListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  start(): this {
    if (this.timer === null) {
      this.timer = setInterval(() => {
        try {
          this.tick();
        } catch (e) {
          this.onError(e);
        }
      }, this.o.intervalMs ?? 200);
      // The host decides when the process ends, not the recorder.
      this.timer.unref?.();
    }
    return this;
  }

  /** Stop the timer and commit whatever is left. */
  stop(): RecordedBatch | null {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    return this.tick();
  }

  /** Collect, derive, commit, emit: one batch, or null when nothing changed. */
  tick(): RecordedBatch | null {
    const b = this.stream.collect(this.evidence, true);
    if (b === null) {
      if (!this.alerts.hasPending) return null;
      return this.emit(this.store.commitAlerts(this.alerts.drain(), this.learningMeta()), null);
    }
    this.lastStats = b.stats;
    const alerts = this.alerts.batch(b);
    return this.emit(this.store.commit(b, alerts, this.learningMeta()), b);
  }

  /** End the learning period now (at the latest capture time): from here on, changes raise alerts. */
  endLearning(): void {
    this.alerts.endLearning();
    this.store.setMeta(LEARNING_KEY, JSON.stringify(this.alerts.learning.state()));
  }

  edit(id: string, field: EditableField, value: string | null): RecordedBatch {
    return this.emit(this.store.edit(id, field, value), null);
  }

  private learningMeta(): Record<string, string> {
    return learningMeta(this.alerts);
  }

  private emit(r: CommitResult, b: DeltaBatch | null): RecordedBatch {
    const out: RecordedBatch = {
      seq: r.seq,
      at: b?.at ?? new Date().toISOString(),
      upserts: r.upserts,
      removed: r.removed,
      edges: r.edges,
      edgesRemoved: r.edgesRemoved,
      alerts: r.alerts,
      stats: b?.stats ?? this.lastStats ?? this.analyzer.stats(),
      timeline: r.timeline,
    };
    for (const l of this.listeners) {
      try {
        l(out);
      } catch (e) {
        this.onError(e);
      }
    }
    return out;
  }
}
