import type { Analyzer } from '../../shared/engine/analyzer';
import type { AlertEngineOptions } from '../../shared/alerts/engine';
import { IDLE_STATUS, type CaptureStatus } from '../../shared/ipc/contract';
import type { InventoryLimits } from '../../shared/inventory/limits';
import { linkTypeLabel } from '../../shared/decode/linktypes';
import { CaptureFileError } from '../capture/file-source';
import { startLiveCapture, type LiveCapture, type LiveCaptureOptions } from '../capture/live/live-source';
import { totalDrops } from '../capture/live/framing';
import { liveErrorText } from '../capture/live/errors';
import { CallFailure } from '../ipc/engine-api';
import type { EventHub } from '../ipc/event-hub';
import { Recorder, type Recorded } from '../store/recorder';
import { analyzeFile, createAnalyzer } from './pipeline';
import { errorText, type StoreLink } from './store-link';

export interface RunOptions {
  hub: EventHub;
  /** How often changes are collected and recorded, ms. */
  collectMs: number;
  live?: Partial<LiveCaptureOptions>;
  limits?: Partial<InventoryLimits>;
  learnMs?: number;
  alerts?: Omit<AlertEngineOptions, 'learning'>;
}

/** Who is told about each run: its start, and every collection recorded in it. */
export interface RunSink {
  newRun(): void;
  recorded(r: Recorded): void;
}

/**
 * Owns one run at a time (capture files or live interfaces): its analyzer, and the recorder that
 * owns its change stream and alert engine. A new run stops the one before (what it collected is
 * recorded first) and starts from an empty inventory; the capture status is this class's.
 */
export class RunController {
  private rec: Recorder;
  private st: CaptureStatus = IDLE_STATUS;
  private live: LiveCapture | null = null;
  private drops = 0;
  private run = 0;
  private reading: Promise<void> = Promise.resolve();
  private abort: AbortController | null = null;

  constructor(
    private readonly o: RunOptions,
    private readonly link: StoreLink,
    private readonly sink: RunSink,
  ) {
    this.rec = this.recorderFor(createAnalyzer({ limits: o.limits }));
  }

  get analyzer(): Analyzer {
    return this.rec.analyzer;
  }

  get status(): CaptureStatus {
    return this.st;
  }

  /** Resolves when the current file run has been read to the end (or failed). */
  get idle(): Promise<void> {
    return this.reading;
  }

  /** Record what was collected since the last tick (answers must include it). */
  flush(): void {
    this.rec.tick();
  }

  /** Read capture files (paths already allowed) in a new run; resolves once it has started. */
  async openFiles(paths: string[]): Promise<CaptureStatus> {
    const me = await this.newRun();
    this.abort = new AbortController();
    const signal = this.abort.signal;
    const a = this.analyzer;
    this.setStatus({ state: 'running', source: { kind: 'file', paths }, message: null, progress: null });
    this.reading = (async () => {
      const warnings: string[] = [];
      try {
        for (const [i, p] of paths.entries()) {
          if (signal.aborted) return;
          const file = i + 1;
          const onProgress = (bytesRead: number, bytesTotal: number) => {
            if (me === this.run)
              this.st = { ...this.st, progress: { bytesRead, bytesTotal, file, files: paths.length } };
          };
          const r = await analyzeFile(a, p, { signal, onProgress });
          warnings.push(...r.warnings.map((w) => `${p}: ${w}`));
        }
        if (me !== this.run) return;
        this.flush();
        this.setStatus({
          state: signal.aborted ? 'stopped' : 'finished',
          message: warnings.length ? warnings.join('; ').slice(0, 1000) : null,
        });
      } catch (e) {
        if (me !== this.run) return;
        this.flush();
        const msg = e instanceof CaptureFileError ? e.message : `reading failed: ${errorText(e)}`;
        // What was read before the failure stays in the inventory.
        this.setStatus({ state: 'failed', message: msg.slice(0, 1000) });
      }
    })();
    return this.st;
  }

  /** Capture live on `interfaces` in a new run; resolves once the capture helper runs (or fails). */
  async startLive(interfaces: string[], filter: string | null): Promise<CaptureStatus> {
    const me = await this.newRun();
    this.setStatus({
      state: 'starting',
      source: { kind: 'live', interfaces, filter },
      message: null,
      progress: null,
    });
    const a = this.analyzer;
    const cap = startLiveCapture(
      { ...this.o.live, interfaces, filter: filter ?? '' },
      (buf, lt, ts, wl, iface) => a.frame(buf, lt, ts, wl, iface),
      (s) => {
        if (me !== this.run) return;
        if (s.kind === 'stats') {
          this.drops = totalDrops(s.stats);
        } else if (s.kind === 'error') {
          this.setStatus({ state: 'failed', message: liveErrorText(s.error).slice(0, 1000) });
        } else if (s.kind === 'exit' && this.st.state === 'running' && !s.exit.expected) {
          this.flush();
          this.setStatus({
            state: 'failed',
            message: 'the capture helper exited unexpectedly; what it captured is kept',
          });
        }
      },
    );
    this.live = cap;
    const r = await cap.started;
    if (me !== this.run) return this.st;
    if (!r.ok) {
      this.live = null;
      throw new CallFailure('unavailable', liveErrorText(r.error));
    }
    // An interface whose link type is not decoded still runs (its frames are counted per type in
    // the stats), but says so once instead of showing nothing.
    const unread = r.interfaces
      .filter((i) => !a.decoder.readsLinkType(i.linkType))
      .map(
        (i) =>
          `${i.name}: link type ${linkTypeLabel(i.linkType)} is not read; its frames are counted and skipped`,
      );
    this.setStatus({
      state: 'running',
      message: unread.length > 0 ? `warning: ${unread.join('; ')}`.slice(0, 1000) : null,
    });
    return this.st;
  }

  async stop(): Promise<CaptureStatus> {
    await this.halt();
    this.flush();
    if (this.st.state === 'running' || this.st.state === 'starting')
      this.setStatus({ state: 'stopped', message: null });
    return this.st;
  }

  async close(): Promise<void> {
    await this.halt();
    // What the last interval collected is recorded (and its alerts sent) before the host closes its store.
    this.rec.stop();
  }

  /** Stop reading: the file run's signal, the live capture helper. */
  private async halt(): Promise<void> {
    this.abort?.abort();
    if (this.live !== null) {
      const l = this.live;
      this.live = null;
      await l.stop();
    }
    await this.reading;
  }

  /** Start a new run: a fresh analyzer and recorder, and the next delta tells the UI to drop what it holds. */
  private async newRun(): Promise<number> {
    await this.halt();
    this.rec.stop();
    this.rec = this.recorderFor(createAnalyzer({ limits: this.o.limits }));
    this.drops = 0;
    this.sink.newRun();
    return ++this.run;
  }

  /** The run's recorder: into the store while it records (with its alert baseline), else alone. */
  private recorderFor(a: Analyzer): Recorder {
    let rec: Recorder | null = null;
    const opts = {
      intervalMs: this.o.collectMs,
      learnMs: this.o.learnMs,
      alerts: this.o.alerts,
      // Live deltas stay small: the identity section comes with a device's details.
      identity: false,
      // A failed commit ends the recording; anything else (a listener's trouble) is only said.
      onError: (e: unknown) =>
        rec?.recording === false && this.link.writable !== null
          ? this.link.stopped(e)
          : this.link.log(errorText(e)),
    };
    const store = this.link.writable;
    if (store !== null) {
      try {
        rec = new Recorder(a, store, opts);
      } catch (e) {
        this.link.stopped(e);
      }
    }
    rec ??= new Recorder(a, null, opts);
    rec.on((r) => {
      this.sink.recorded(r);
      if (r.delta !== null && this.st.state === 'running') this.setStatus({});
    });
    return rec.start();
  }

  private setStatus(s: Partial<CaptureStatus>): void {
    const st = this.analyzer.decoder.stats;
    this.st = {
      ...this.st,
      ...s,
      counters: { packets: st.packets, bytes: st.bytes, drops: this.drops, malformed: st.malformed },
    };
    this.o.hub.emit('captureStatus', this.st);
  }
}
