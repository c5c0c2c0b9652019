/**
 * The engine behind every UI host: one run at a time (capture files or live interfaces), an
 * Analyzer fed by it, and a change stream pushed to the UI every `collectMs` as deviceDelta events
 * (split to the contract's batch limit) with captureStatus counters beside them. It implements the
 * transport-free handlers of the IPC contract, so Electron IPC and the WebSocket host serve the same
 * object.
 *
 * Every run has one AlertEngine, fed the way the Recorder feeds it (observations as they happen,
 * each collected batch), and each new alert goes out as an `alert` event. A host with a device store
 * hands it over: batches, alerts and edits are committed as they are collected, listAlerts and
 * getTimeline answer from the store (earlier sessions included), and until the first run of this
 * session the snapshot is what the store last recorded.
 */
import { realpath } from 'node:fs/promises';
import { ChangeStream, type DeltaBatch } from '../../shared/inventory/changes';
import { identityOf } from '../../shared/inventory/identity';
import type { Analyzer } from '../../shared/engine/analyzer';
import type { AlertEngine, AlertEngineOptions } from '../../shared/alerts/engine';
import type { AlertJson } from '../../shared/model/alert';
import type { DeviceJson } from '../../shared/model/inventory';
import { IDLE_STATUS, type CaptureStatus, type DeviceDelta } from '../../shared/ipc/contract';
import { IPC_LIMITS } from '../../shared/ipc/limits';
import { linkTypeLabel } from '../../shared/decode/linktypes';
import { CaptureFileError } from '../capture/file-source';
import { startLiveCapture, type LiveCapture, type LiveCaptureOptions } from '../capture/live/live-source';
import { CallFailure, type EngineHandlers } from '../ipc/engine-api';
import type { EventHub } from '../ipc/event-hub';
import { listSources } from '../ipc/sources';
import { AlertLog } from '../ipc/alert-log';
import { toWireAlert, toWireTimelineEntry } from '../ipc/alert-wire';
import { readInterfaceCounters } from '../ipc/interface-counters';
import { totalDrops } from '../capture/live/framing';
import { liveErrorText } from '../capture/live/errors';
import { checkFilterWithLibpcap } from '../capture/live/check-filter';
import { attachAlertEngine, learningMeta } from '../store/alert-feed';
import type { Store } from '../store/store';
import type { StoredDevice } from '../store/types';
import { analyzeFile, createAnalyzer } from './pipeline';
import { checkCapturePaths } from './capture-paths';
import type { InventoryLimits } from '../../shared/inventory/limits';
import { demoCapturePath } from '../demo/demo-path';
import { checkEdit, EditBook, EDITABLE_FIELDS, type EditableField } from '../../shared/inventory/edits';
import {
  alertsOf,
  exportAnswer,
  printReport,
  renderTextReport,
  snapshotInventory,
  type PdfPrinter,
} from '../report/export';

export interface EngineOptions {
  hub: EventHub;
  /** The host's own file picker (Electron's dialog); absent on hosts without one. */
  chooseFiles?: () => Promise<string[]>;
  /** How often changes are pushed to the UI, ms (100 to 250 is smooth without flooding). */
  collectMs?: number;
  /** Options for the live capture helper (tests run it inside a network namespace). */
  live?: Partial<LiveCaptureOptions>;
  /** Called with every batch after it is sent (the store records it). */
  onBatch?: (b: DeltaBatch, a: Analyzer) => void;
  /**
   * The host's device store (its owner opens and closes it). The engine commits every batch with
   * its alerts and every edit to it, shows the edits it holds, and answers
   * listAlerts, getTimeline and, before the first run, getSnapshot from it.
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
}

export interface Engine extends EngineHandlers {
  /** The analyzer of the current run. */
  readonly analyzer: Analyzer;
  readonly status: CaptureStatus;
  /** Resolves when the current file run has been read to the end (or failed). */
  readonly idle: Promise<void>;
  close(): Promise<void>;
}

/** A stored device as the engine shows devices: the store's own bookkeeping fields left out. */
function plainDevice(d: StoredDevice): DeviceJson {
  const {
    name: _name,
    authorization: _authorization,
    online: _online,
    aliases: _aliases,
    manual: _manual,
    ...rest
  } = d;
  return rest;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function createEngine(o: EngineOptions): Engine {
  const collectMs = o.collectMs ?? 200;
  const log = o.log ?? ((m: string) => process.stderr.write(`glasspane: ${m}\n`));
  const store = o.store ?? null;
  /** Cleared when a commit fails (a full disk): the engine goes on without recording. */
  let recording = store !== null;
  /** The run's one alert engine: with the store's baseline and learning state while it can be read. */
  const newAlerts = (a: Analyzer): AlertEngine => {
    const feed = { learnMs: o.learnMs, alerts: o.alerts };
    if (recording && store !== null) {
      try {
        return attachAlertEngine(a, store, feed);
      } catch (e) {
        recording = false;
        log(`the device store stopped recording: ${errorText(e)}`);
      }
    }
    return attachAlertEngine(a, null, feed);
  };
  const alertLog = new AlertLog(o.keepAlerts);
  let analyzer = createAnalyzer({ limits: o.limits });
  let alerts: AlertEngine = newAlerts(analyzer);
  let stream = new ChangeStream(analyzer);
  let reset = true;
  /** The sequence of the last delta sent: one count across runs and split batches. */
  let wireSeq = 0;
  let status: CaptureStatus = IDLE_STATUS;
  let live: LiveCapture | null = null;
  let drops = 0;
  let run = 0;
  let idle: Promise<void> = Promise.resolve();
  let abort: AbortController | null = null;
  // Manual edits outlive runs: they are about devices, not about one capture. The store's book is
  // the one kept; without a store, one in memory.
  const edits = store?.edits ?? new EditBook();
  /** Until a run's first (reset) delta replaces it, the UI is shown what the store last recorded. */
  let fromStore = store !== null;
  const storedDevice = (id: string): DeviceJson | null => {
    if (!fromStore || store === null) return null;
    try {
      const d = store.device(id);
      return d === null ? null : plainDevice(d);
    } catch {
      return null;
    }
  };
  const keepEdit = (id: string, f: EditableField, value: string | null) => {
    if (recording && store !== null) {
      try {
        store.edit(id, f, value);
        return;
      } catch (e) {
        // A device the store has not written (recording stopped) keeps the edit in memory only.
        log(`the edit of ${id} was not stored: ${errorText(e)}`);
      }
    }
    edits.set(id, f, value);
  };
  const withEdits = <T extends DeviceJson>(j: T): T => edits.apply(j);

  const setStatus = (s: Partial<CaptureStatus>) => {
    const st = analyzer.decoder.stats;
    status = {
      ...status,
      ...s,
      counters: { packets: st.packets, bytes: st.bytes, drops, malformed: st.malformed },
    };
    o.hub.emit('captureStatus', status);
  };

  /** Commit a batch (or alerts raised without one) and send each alert not seen before. */
  const record = (b: DeltaBatch | null, raised: AlertJson[]) => {
    let fresh = raised;
    if (recording && store !== null) {
      try {
        const r =
          b === null
            ? store.commitAlerts(raised, learningMeta(alerts))
            : store.commit(b, raised, learningMeta(alerts));
        // The store keeps each alert id once: re-analysing a capture does not raise its alerts again.
        fresh = r.alerts;
      } catch (e) {
        recording = false;
        log(`the device store stopped recording: ${errorText(e)}`);
      }
    }
    for (const a of fresh) {
      const w = toWireAlert(a);
      if (alertLog.add(w)) o.hub.emit('alert', w);
    }
  };

  const flush = () => {
    const b = stream.collect();
    if (b === null) {
      // Observations alone (an OT event on a device that did not change) can raise alerts.
      if (alerts.hasPending) record(null, alerts.drain());
      return;
    }
    const L = IPC_LIMITS.batch;
    const parts = Math.max(1, Math.ceil(Math.max(b.upserts.length, b.edges.length, b.removed.length) / L));
    // Sequence numbers on the wire rise by one per delta, so a batch split in parts renumbers them.
    for (let i = 0; i < parts; i++) {
      const delta: DeviceDelta = {
        sequence: wireSeq + 1,
        reset: reset && i === 0,
        upserts: b.upserts.slice(i * L, (i + 1) * L).map(withEdits),
        removals: b.removed.slice(i * L, (i + 1) * L),
        edgeUpserts: b.edges.slice(i * L, (i + 1) * L),
        edgeRemovals: b.edgesRemoved.slice(i * L, (i + 1) * L),
      };
      wireSeq++;
      if (delta.reset) fromStore = false;
      o.hub.emit('deviceDelta', delta);
    }
    reset = false;
    record(b, alerts.batch(b));
    o.onBatch?.(b, analyzer);
    if (status.state === 'running') setStatus({});
  };
  const timer = setInterval(flush, collectMs);
  timer.unref?.();

  /** The demo capture's real path once listSources has offered it (allowed besides captureDir). */
  let demoPath: string | null = null;

  /** Start a new run: a fresh analyzer, and the next delta tells the UI to drop what it holds. */
  const newRun = async () => {
    abort?.abort();
    if (live !== null) {
      const l = live;
      live = null;
      await l.stop();
    }
    await idle;
    flush();
    analyzer = createAnalyzer({ limits: o.limits });
    alerts = newAlerts(analyzer);
    stream = new ChangeStream(analyzer);
    reset = true;
    drops = 0;
    return ++run;
  };

  const engine: Engine = {
    get analyzer() {
      return analyzer;
    },
    get status() {
      return status;
    },
    get idle() {
      return idle;
    },

    listSources: async () => {
      let demo: { path: string } | null = null;
      try {
        demo = { path: await demoCapturePath() };
        demoPath = await realpath(demo.path).catch(() => null);
      } catch {
        // No writable cache or temp folder: the start screen just offers no demo.
      }
      return { ...listSources(), demo };
    },

    getDevice: ({ id }) => {
      const d = analyzer.inventory.byId(id);
      if (d !== undefined) return withEdits(analyzer.deviceJson(d, true));
      const stored = storedDevice(id);
      if (stored === null) throw new CallFailure('bad-request', `no device ${id} in the current inventory`);
      return withEdits(stored);
    },

    editDevice: (req) => {
      const d = analyzer.inventory.byId(req.id);
      const stored = d === undefined ? storedDevice(req.id) : null;
      if (d === undefined && stored === null)
        throw new CallFailure('bad-request', `no device ${req.id} in the current inventory`);
      // A stored device may answer under the id it was merged into.
      const key = stored?.id ?? req.id;
      // The store keeps edits of devices it holds: commit what is pending first.
      if (d !== undefined && recording) flush();
      for (const f of EDITABLE_FIELDS) {
        const v = req[f];
        if (v !== undefined) keepEdit(key, f, checkEdit(f, v));
      }
      if (d !== undefined) {
        // The grid learns of the edit through the change stream like any other change.
        d.touch();
        return withEdits(analyzer.deviceJson(d, true));
      }
      // Before the first run there is no change stream: the edited device goes out as a delta of its own.
      const shown = withEdits(storedDevice(key) ?? stored!);
      wireSeq++;
      o.hub.emit('deviceDelta', {
        sequence: wireSeq,
        reset: false,
        upserts: [shown],
        removals: [],
        edgeUpserts: [],
        edgeRemovals: [],
      });
      return shown;
    },

    listAlerts: ({ deviceId, limit }) => {
      flush();
      const n = limit ?? IPC_LIMITS.alerts;
      if (recording && store !== null) {
        try {
          const alerts = store.alerts({ deviceId, limit: n, newestFirst: true }).map(toWireAlert);
          return { alerts, total: store.alertCount({ deviceId }) };
        } catch (e) {
          log(`the device store cannot list alerts, answering from this session's: ${errorText(e)}`);
        }
      }
      return alertLog.list(deviceId, n);
    },

    getTimeline: ({ id }) => {
      if (store === null) return { supported: false, entries: [] };
      // The timeline of what was collected but not yet committed belongs in the answer; a device
      // with more history than one answer holds shows its latest.
      flush();
      try {
        const entries = store
          .timeline(id, { limit: IPC_LIMITS.timeline, latest: true })
          .map(toWireTimelineEntry);
        return { supported: true, entries };
      } catch (e) {
        throw new CallFailure('unavailable', `the device store cannot be read: ${errorText(e)}`);
      }
    },

    interfaceCounters: () => readInterfaceCounters(),

    checkFilter: async ({ filter }) => {
      if (filter.trim() === '') return { ok: true, message: null };
      const r = await checkFilterWithLibpcap(filter);
      if (r === null)
        throw new CallFailure(
          'unavailable',
          'filters cannot be checked here: the native capture helper is not built (npm run build needs cc and libpcap-dev)',
        );
      return r;
    },

    chooseCaptureFiles: async () =>
      o.chooseFiles ? { supported: true, paths: await o.chooseFiles() } : { supported: false, paths: [] },

    openCapture: async ({ paths: asked }) => {
      // Refused paths cost nothing: the run (and the inventory) in progress stays.
      const paths = await checkCapturePaths(asked, {
        dir: o.captureDir,
        alsoAllowed: demoPath !== null ? [demoPath] : [],
      });
      const me = await newRun();
      abort = new AbortController();
      const signal = abort.signal;
      setStatus({ state: 'running', source: { kind: 'file', paths }, message: null, progress: null });
      idle = (async () => {
        const warnings: string[] = [];
        try {
          for (const [i, p] of paths.entries()) {
            if (signal.aborted) return;
            const file = i + 1;
            const onProgress = (bytesRead: number, bytesTotal: number) => {
              if (me === run)
                status = { ...status, progress: { bytesRead, bytesTotal, file, files: paths.length } };
            };
            const r = await analyzeFile(analyzer, p, { signal, onProgress });
            warnings.push(...r.warnings.map((w) => `${p}: ${w}`));
          }
          if (me !== run) return;
          flush();
          setStatus({
            state: signal.aborted ? 'stopped' : 'finished',
            message: warnings.length ? warnings.join('; ').slice(0, 1000) : null,
          });
        } catch (e) {
          if (me !== run) return;
          flush();
          const msg =
            e instanceof CaptureFileError
              ? e.message
              : `reading failed: ${e instanceof Error ? e.message : String(e)}`;
          // What was read before the failure stays in the inventory.
          setStatus({ state: 'failed', message: msg.slice(0, 1000) });
        }
      })();
      return status;
    },

    startCapture: async ({ interfaces, filter }) => {
      const me = await newRun();
      setStatus({
        state: 'starting',
        source: { kind: 'live', interfaces, filter: filter ?? null },
        message: null,
        progress: null,
      });
      const a = analyzer;
      const cap = startLiveCapture(
        { ...o.live, interfaces, filter: filter ?? '' },
        (buf, lt, ts, wl, iface) => a.frame(buf, lt, ts, wl, iface),
        (s) => {
          if (me !== run) return;
          if (s.kind === 'stats') {
            drops = totalDrops(s.stats);
          } else if (s.kind === 'error') {
            setStatus({
              state: 'failed',
              message: liveErrorText(s.error).slice(0, 1000),
            });
          } else if (s.kind === 'exit' && status.state === 'running' && !s.exit.expected) {
            flush();
            setStatus({
              state: 'failed',
              message: 'the capture helper exited unexpectedly; what it captured is kept',
            });
          }
        },
      );
      live = cap;
      const r = await cap.started;
      if (me !== run) return status;
      if (!r.ok) {
        live = null;
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
      setStatus({
        state: 'running',
        message: unread.length > 0 ? `warning: ${unread.join('; ')}`.slice(0, 1000) : null,
      });
      return status;
    },

    stopCapture: async () => {
      abort?.abort();
      if (live !== null) {
        const l = live;
        live = null;
        await l.stop();
      }
      await idle;
      flush();
      if (status.state === 'running' || status.state === 'starting')
        setStatus({ state: 'stopped', message: null });
      return status;
    },

    getSnapshot: () => {
      flush();
      const L = IPC_LIMITS.snapshot;
      if (fromStore && store !== null) {
        try {
          return {
            sequence: wireSeq,
            devices: store
              .devices()
              .slice(0, L)
              // The identity section comes with a device's details, as with a live run.
              .map(({ identity: _identity, ...d }) => withEdits(plainDevice(d))),
            edges: store.edges().slice(0, L),
            status,
          };
        } catch (e) {
          log(`the device store cannot be read: ${errorText(e)}`);
        }
      }
      const inv = analyzer.snapshot({ identity: false });
      return {
        sequence: wireSeq,
        devices: inv.devices.slice(0, L).map(withEdits),
        edges: inv.edges.slice(0, L),
        status,
      };
    },

    exportReport: async ({ format, deviceIds, title }) => {
      // The devices as the UI shows them (edits applied, the store's before the first run).
      const snap = await engine.getSnapshot({});
      const at = new Date();
      const inv = snapshotInventory(snap, {
        ids: deviceIds,
        stats: fromStore ? undefined : analyzer.stats(),
        now: at,
      });
      // The snapshot leaves identity sections to device details; a report carries them.
      for (const d of inv.devices) {
        const live = analyzer.inventory.byId(d.id);
        const identity =
          live !== undefined ? identityOf(live.evidence.facts.values()) : storedDevice(d.id)?.identity;
        if (identity !== undefined) d.identity = identity;
      }
      const n = inv.devices.length;
      const opts = { maxChars: o.maxReportChars, at };
      if (format === 'csv' || format === 'json')
        return exportAnswer(format, renderTextReport(inv, format, { sources: [] }), n, opts);
      const listed = await engine.listAlerts({ limit: IPC_LIMITS.alerts });
      const src = snap.status.source;
      const html = renderTextReport(inv, 'html', {
        title,
        sources:
          src === null
            ? [fromStore ? 'the device store' : 'no capture yet']
            : src.kind === 'file'
              ? src.paths
              : [
                  `live capture on ${src.interfaces.join(', ')}${src.filter ? ` (filter ${src.filter})` : ''}`,
                ],
        alerts: alertsOf(inv, listed.alerts, deviceIds === undefined),
        generator: o.generator ?? 'Glasspane',
      });
      if (format === 'html') return exportAnswer('html', html, n, opts);
      return printReport(html, n, o.printPdf, opts);
    },

    close: async () => {
      clearInterval(timer);
      abort?.abort();
      if (live !== null) await live.stop();
      await idle;
      // What the last interval collected is committed (and its alerts sent) before the host closes its store.
      flush();
    },
  };
  return engine;
}
