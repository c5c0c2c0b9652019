/**
 * The engine behind every UI host: one run at a time (capture files or live interfaces), an
 * Analyzer fed by it, and a change stream pushed to the UI every `collectMs` as deviceDelta events
 * (split to the contract's batch limit) with captureStatus counters beside them. It implements the
 * transport-free handlers of the IPC contract, so Electron IPC and the WebSocket host serve the same
 * object.
 */
import { ChangeStream, type DeltaBatch } from '../../shared/inventory/changes';
import type { Analyzer } from '../../shared/engine/analyzer';
import { IDLE_STATUS, type CaptureStatus, type DeviceDelta } from '../../shared/ipc/contract';
import { IPC_LIMITS } from '../../shared/ipc/limits';
import { CaptureFileError } from '../capture/file-source';
import { startLiveCapture, type LiveCapture, type LiveCaptureOptions } from '../capture/live/live-source';
import { CallFailure, type EngineHandlers } from '../ipc/engine-api';
import type { EventHub } from '../ipc/event-hub';
import { listSources } from '../ipc/sources';
import { analyzeFile, createAnalyzer } from './pipeline';
import { demoCapturePath } from '../demo/demo-path';
import { applyEdits, EDITABLE_FIELDS, type DeviceEdits } from '../../shared/inventory/edits';

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
  /** Manual edits known from before (a host with a store loads them), by device id. */
  edits?: Map<string, DeviceEdits>;
  /** Called after each manual edit so a host with a store can keep it. */
  onEdit?: (id: string, field: (typeof EDITABLE_FIELDS)[number], value: string | null) => void;
}

export interface Engine extends EngineHandlers {
  /** The analyzer of the current run. */
  readonly analyzer: Analyzer;
  readonly status: CaptureStatus;
  /** Resolves when the current file run has been read to the end (or failed). */
  readonly idle: Promise<void>;
  close(): Promise<void>;
}

export function createEngine(o: EngineOptions): Engine {
  const collectMs = o.collectMs ?? 200;
  let analyzer = createAnalyzer();
  let stream = new ChangeStream(analyzer);
  let reset = true;
  let status: CaptureStatus = IDLE_STATUS;
  let live: LiveCapture | null = null;
  let drops = 0;
  let run = 0;
  let idle: Promise<void> = Promise.resolve();
  let abort: AbortController | null = null;
  // Manual edits outlive runs: they are about devices, not about one capture.
  const edits = o.edits ?? new Map<string, DeviceEdits>();
  const withEdits = <T extends { id: string }>(j: T): T =>
    applyEdits(j as never, edits.get(j.id)) as unknown as T;

  const setStatus = (s: Partial<CaptureStatus>) => {
    const st = analyzer.decoder.stats;
    status = {
      ...status,
      ...s,
      counters: { packets: st.packets, bytes: st.bytes, drops, malformed: st.malformed },
    };
    o.hub.emit('captureStatus', status);
  };

  const flush = () => {
    const b = stream.collect();
    if (b === null) return;
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
      o.hub.emit('deviceDelta', delta);
    }
    reset = false;
    o.onBatch?.(b, analyzer);
    if (status.state === 'running') setStatus({});
  };
  let wireSeq = 0;
  const timer = setInterval(flush, collectMs);
  timer.unref?.();

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
    analyzer = createAnalyzer();
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
      } catch {
        // No writable cache or temp folder: the start screen just offers no demo.
      }
      return { ...listSources(), demo };
    },

    getDevice: ({ id }) => {
      const d = analyzer.inventory.byId(id);
      if (d === undefined) throw new CallFailure('bad-request', `no device ${id} in the current inventory`);
      return withEdits(analyzer.deviceJson(d, true));
    },

    editDevice: (req) => {
      const d = analyzer.inventory.byId(req.id);
      if (d === undefined)
        throw new CallFailure('bad-request', `no device ${req.id} in the current inventory`);
      const e: DeviceEdits = { ...(edits.get(req.id) ?? {}) };
      for (const f of EDITABLE_FIELDS) {
        const v = req[f];
        if (v === undefined) continue;
        if (v === null || v.trim() === '') delete e[f];
        else e[f] = v.trim();
        o.onEdit?.(req.id, f, v === null || v.trim() === '' ? null : v.trim());
      }
      if (Object.keys(e).length === 0) edits.delete(req.id);
      else edits.set(req.id, e);
      // The grid learns of the edit through the change stream like any other change.
      d.touch();
      return withEdits(analyzer.deviceJson(d, true));
    },

    chooseCaptureFiles: async () =>
      o.chooseFiles ? { supported: true, paths: await o.chooseFiles() } : { supported: false, paths: [] },

    openCapture: async ({ paths }) => {
      const me = await newRun();
      abort = new AbortController();
      const signal = abort.signal;
      setStatus({ state: 'running', source: { kind: 'file', paths }, message: null });
      idle = (async () => {
        const warnings: string[] = [];
        try {
          for (const p of paths) {
            if (signal.aborted) return;
            const r = await analyzeFile(analyzer, p, { signal });
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
      });
      const a = analyzer;
      const cap = startLiveCapture(
        { ...o.live, interfaces, filter: filter ?? '' },
        (buf, lt, ts, wl, iface) => a.frame(buf, lt, ts, wl, iface),
        (s) => {
          if (me !== run) return;
          if (s.kind === 'stats') {
            // Ours (the helper's queue) plus the kernel's, as pcap_stats reports them or sysfs estimates them.
            drops = s.stats.interfaces.reduce(
              (n, i) => n + i.queueDrops + (i.pcap?.drop ?? i.missedEstimate ?? 0),
              0,
            );
          } else if (s.kind === 'error') {
            setStatus({
              state: 'failed',
              message: `${s.error.message} ${s.error.fix}`.trim().slice(0, 1000),
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
        throw new CallFailure('unavailable', `${r.error.message} ${r.error.fix}`.trim());
      }
      setStatus({ state: 'running' });
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
      const inv = analyzer.snapshot();
      const L = IPC_LIMITS.snapshot;
      return {
        sequence: wireSeq,
        devices: inv.devices.slice(0, L).map(withEdits),
        edges: inv.edges.slice(0, L),
        status,
      };
    },

    close: async () => {
      clearInterval(timer);
      abort?.abort();
      if (live !== null) await live.stop();
      await idle;
    },
  };
  return engine;
}
