/**
 * The engine behind every UI host (Electron's utility process, `serve`): services wired together,
 * with the IPC contract's handlers (handlers.ts) on top, so Electron IPC and the WebSocket host serve
 * the same object. RunController owns the run (analyzer, recorder, change stream, alert engine);
 * each recorded batch goes to the UI as deviceDelta events (InventoryView) and alert events
 * (AlertService), with captureStatus counters beside them. A host with a device store hands it
 * over: the recorder commits batches with their alerts, edits are kept in it, listAlerts and
 * getTimeline answer from it, and until the first run of this session the snapshot is what it
 * last recorded.
 */
import type { Analyzer } from '../../shared/engine/analyzer';
import type { AlertEngineOptions } from '../../shared/alerts/engine';
import { EditBook } from '../../shared/inventory/edits';
import type { InventoryLimits } from '../../shared/inventory/limits';
import type { CaptureStatus } from '../../shared/ipc/contract';
import type { LiveCaptureOptions } from '../capture/live/live-source';
import type { EngineHandlers } from '../ipc/engine-api';
import type { EventHub } from '../ipc/event-hub';
import type { PdfPrinter } from '../report/export';
import type { Store } from '../store/store';
import { AlertService } from './alert-service';
import { CaptureSources } from './capture-sources';
import { DeviceEditor } from './device-edits';
import { engineHandlers } from './handlers';
import { exportReport } from './report-export';
import { InventoryView } from './inventory-view';
import { RunController, type RunSink } from './run-controller';
import { ForwardSettings } from '../forward/forward-settings';
import { localOrigin } from '../forward/origin';
import { MergedView, type MergedViewOptions } from './merged-view';
import { everyOf, type MergedForwarding } from '../forward/host-forwarding';
import { loadRules } from '../classify/load';
import { vendorOf } from './oui';
import { CallFailure } from '../ipc/engine-api';
import { SensorConnectionBook } from './sensor-connection';
import { StoreLink } from './store-link';

export interface EngineOptions {
  hub: EventHub;
  /** The host's own file picker (Electron's dialog); absent on hosts without one. */
  chooseFiles?: () => Promise<string[]>;
  /** How often changes are pushed to the UI, ms (100 to 250 is smooth without flooding). */
  collectMs?: number;
  /** Options for the live capture helper (tests run it inside a network namespace). */
  live?: Partial<LiveCaptureOptions>;
  /**
   * The host's device store (its owner opens and closes it). The engine commits every batch with
   * its alerts and every edit to it, shows the edits it holds, and answers listAlerts, getTimeline
   * and, before the first run, getSnapshot from it.
   */
  store?: Store;
  /** Alert learning period in capture-time ms, when the store has none saved (default one hour). */
  learnMs?: number;
  /** Options of the alert rules (tests shorten cooldowns). */
  alerts?: Omit<AlertEngineOptions, 'learning'>;
  /** Alerts held in memory for listAlerts without a store (default 10,000, the newest). */
  keepAlerts?: number;
  /** Trouble no call can answer with (the store stopped recording); default: standard error. */
  log?: (message: string) => void;
  /**
   * Prints the HTML report to PDF for exportReport (the WebSocket host passes a local Chromium);
   * without one, PDF exports answer supported: false and say what to do.
   */
  printPdf?: PdfPrinter;
  /** The largest exportReport content, base64 characters (a transport may carry less than the contract). */
  maxReportChars?: number;
  /** Names the report's version in its footer. */
  generator?: string;
  /**
   * The real path of the only folder openCapture may read from (`serve --capture-dir`); the
   * engine's own demo capture is allowed besides.
   */
  captureDir?: string;
  /** Bounds on each run's inventory (devices, address devices, edges); the defaults otherwise. */
  limits?: Partial<InventoryLimits>;
  /**
   * Also told of each run and of each batch its recorder records, after the UI (SIEM forwarding):
   * the same batches the store and the UI get, once each.
   */
  recorded?: RunSink;
  /**
   * The data folder where the app keeps its forwarding destinations (the Forwarding settings) and
   * their queues; without it the forwarding calls answer 'unavailable'.
   */
  forwardingDir?: string;
  /**
   * Show the merged inventory of sensors (`serve --nats`) instead of capture runs: the host feeds
   * each stream message to `engine.merged`; opening captures is refused.
   */
  merged?: Pick<MergedViewOptions, 'checkpointMs' | 'sensors'>;
  /**
   * The host's `--forward` for the sensors' merged inventory, which has no recorder: its devices and
   * alerts as the merge sees them (serve --nats, or once the connection dialog connects).
   */
  forwardMerged?: MergedForwarding;
  /**
   * Where the connection dialog's settings are kept (a JSON file in the data folder); without it,
   * getSensorConnection answers supported: false.
   */
  connectionFile?: string;
}

export interface Engine extends EngineHandlers {
  /** The analyzer of the current run. */
  readonly analyzer: Analyzer;
  readonly status: CaptureStatus;
  /** Resolves when the current file run has been read to the end (or failed). */
  readonly idle: Promise<void>;
  /** The sensors' merged inventory, once the engine follows sensors (`merged`, or the connection dialog). */
  readonly merged: MergedView | null;
  /** Resolves once the saved sensor connection (connectionFile) is followed, or found not to work. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export function createEngine(o: EngineOptions): Engine {
  const log = o.log ?? ((m: string) => process.stderr.write(`glasspane: ${m}\n`));
  const link = new StoreLink(o.store ?? null, log);
  // Manual edits outlive runs: they are about devices, not about one capture. The store's book is
  // the one kept; without a store, one in memory.
  const edits = o.store?.edits ?? new EditBook();
  // The services refer to the run controller, which starts recording (and publishing) at once.
  let runs: RunController | null = null;
  const currentRuns = () => runs!;
  const view = new InventoryView(o.hub, currentRuns, link, edits);
  const alerts = new AlertService(o.hub, link, () => currentRuns().flush(), o.keepAlerts);
  runs = new RunController(
    {
      hub: o.hub,
      collectMs: o.collectMs ?? 200,
      live: o.live,
      limits: o.limits,
      learnMs: o.learnMs,
      alerts: o.alerts,
    },
    link,
    {
      newRun: () => {
        view.newRun();
        o.recorded?.newRun();
        forwarding?.newRun();
      },
      recorded: (r) => {
        if (r.delta !== null) view.publish(r.delta);
        alerts.publish(r.alerts);
        o.recorded?.recorded(r);
        forwarding?.recorded(r);
      },
    },
  );
  const r = runs;
  const forwarding =
    o.forwardingDir !== undefined
      ? new ForwardSettings({
          dataDir: o.forwardingDir,
          origin: localOrigin(),
          live: () => r.status.source?.kind === 'live',
          // A destination added in a sensors' console is told of the merged devices.
          devices: () => merged?.current() ?? [...r.analyzer.snapshotParts().devices],
          emit: (s) => o.hub.emit('forwardState', s),
          log,
        })
      : null;
  const report = { printPdf: o.printPdf, maxReportChars: o.maxReportChars, generator: o.generator };
  const handlers = engineHandlers({
    sources: new CaptureSources({ chooseFiles: o.chooseFiles, captureDir: o.captureDir }),
    runs: r,
    view,
    editor: new DeviceEditor(currentRuns, view, link, edits, () => merged),
    alerts,
    report,
    forwarding,
  });
  // A sensors' console: made at start (serve --nats) or when the connection dialog first connects.
  let merged: MergedView | null = null;
  const toMerged = (): MergedView => {
    if (merged !== null) return merged;
    const m = new MergedView(view, alerts, link, edits, {
      ...o.merged,
      forward: everyOf([o.forwardMerged, forwarding]),
      sensors: { policy: o.alerts?.policy, ...o.merged?.sensors },
      collectMs: o.collectMs ?? 200,
      rules: loadRules(),
      vendorOf,
    });
    merged = m;
    // One inventory per console: the sensors' merge, not a capture of this machine beside it.
    const refuse = () =>
      Promise.reject(
        new CallFailure(
          'unavailable',
          "this console shows the sensors' merged inventory: analyse captures in a console that follows no sensors, or with glasspane sensor --read",
        ),
      );
    Object.assign(engine, {
      openCapture: refuse,
      startCapture: refuse,
      getSnapshot: () => m.snapshot(view.sequence, r.status),
      getDevice: ({ id }: { id: string }) => m.device(id),
      exportReport: (req) => exportReport(req, { runs: r, view, alerts, merged: m }, report),
      listSensors: () => ({
        supported: true,
        silenceMs: m.sensors.silenceMs,
        maxClockSkewMs: m.sensors.maxSkewMs,
        sensors: m.sensors.list(),
      }),
    } satisfies Partial<EngineHandlers>);
    return m;
  };
  const connection =
    o.connectionFile !== undefined
      ? new SensorConnectionBook(
          o.connectionFile,
          () => {
            const m = toMerged();
            return {
              stream: (site, created, lastSeq) => m.stream(site, created, lastSeq),
              take: (site, seq, msg, at) => m.take(site, seq, msg, at),
              refuse: (site, seq) => m.refuse(site, seq),
              log,
            };
          },
          log,
        )
      : null;
  if (connection !== null) {
    handlers.getSensorConnection = () => connection.answer();
    handlers.setSensorConnection = ({ settings }) => connection.set(settings);
  }
  const engine: Engine = {
    ...handlers,
    get merged() {
      return merged;
    },
    get ready() {
      return ready;
    },
    get analyzer() {
      return r.analyzer;
    },
    get status() {
      return r.status;
    },
    get idle() {
      return r.idle;
    },
    close: async () => {
      await connection?.close();
      merged?.close();
      await r.close();
      // After the run's last batch: it is queued, then each destination gets at most 5 s more.
      await forwarding?.close();
    },
  };
  if (o.merged !== undefined) toMerged();
  let ready = connection?.resume() ?? Promise.resolve();
  ready = ready.catch((e: unknown) => log(`the saved sensor connection: ${String(e)}`));
  return engine;
}
