/**
 * The app's side of live capture: spawns the capture helper, the only privileged part (the native
 * glasspane-capture when it is there, else ./capture-process.ts: see ./helper-path.ts), reads its
 * framing and hands out frames, stats and errors. Decoding happens here, in the caller's onFrame,
 * never in the helper.
 *
 *   const cap = startLiveCapture({ interfaces: ['eth0'], filter: 'not port 22' },
 *     (buf, linkType, tsMs, wireLen, iface) => decoder.decode(buf, linkType, tsMs, ++n, wireLen, iface),
 *     (s) => { if (s.kind === 'error') show(s.error.message); });
 *   const r = await cap.started;   // { ok: true, interfaces } or { ok: false, error }
 *   ...
 *   await cap.stop();              // resolves once the helper has exited
 */
import { spawn } from 'node:child_process';
import type { CaptureConfig } from './config';
import {
  captureUnavailable,
  helperFailed,
  interfaceLost,
  nativeHelperError,
  notInCaptureGroup,
  type LiveError,
} from './errors';
import {
  FrameParser,
  REC_ERROR,
  REC_STATS,
  REC_STATUS,
  type ControlRecord,
  type HelperStats,
  type OpenedInterface,
} from './framing';
import { configArgs, resolveCaptureHelper, type HelperCommand } from './helper-path';
import type { InterfaceInfo } from './interfaces';
import { spawnedHelper, type HelperProcess, type NodeHelperLauncher } from './helper-process';

export {
  configArgs,
  findNativeHelper,
  nativeCaptureHelper,
  nodeCaptureHelper,
  resolveCaptureHelper,
  type HelperCommand,
} from './helper-path';

const STDERR_TAIL = 4096;
const CAP_POLL_ABORT = /cb_packets.*status == 0/;
/** The dynamic loader's words when the native helper's libpcap is not installed. */
const NO_SHARED_LIB = /error while loading shared libraries|Library not loaded/;

/** What to capture (the helper's own configuration, see config.ts) and how to run the helper. */
export interface LiveCaptureOptions extends Omit<CaptureConfig, 'list'> {
  /** Command the helper runs under, e.g. ['ip', 'netns', 'exec', 'lab'] or ['setpriv', ...]. */
  wrap?: string[];
  /** Extra environment for the helper. */
  env?: Record<string, string>;
  /** How to run the helper; default resolveCaptureHelper(). */
  helper?: HelperCommand;
  /**
   * Under Electron, how the Node helper is started: a utility process forked by main
   * (./helper-relay.ts). Without it, under Electron only the native helper can run.
   */
  launchNode?: NodeHelperLauncher;
  /** After stop(), how long the helper gets before SIGTERM (then SIGKILL as long again). Default 3000. */
  stopTimeoutMs?: number;
}

/** `buf` is borrowed: valid only during the call (copy what must outlive it). */
export type FrameCallback = (
  buf: Buffer,
  linkType: number,
  tsMs: number,
  wireLen: number,
  ifaceIndex: number,
) => void;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the helper stopped because it was asked to (or reported its error and exited). */
  expected: boolean;
}

export type LiveStatus =
  | { kind: 'started'; pid: number; interfaces: OpenedInterface[]; filter: string; snaplen: number }
  | { kind: 'stats'; stats: HelperStats }
  | { kind: 'error'; error: LiveError }
  | { kind: 'exit'; exit: ExitInfo };

export type StartResult = { ok: true; interfaces: OpenedInterface[] } | { ok: false; error: LiveError };

export interface LiveCapture {
  /** Resolves when every interface is open, or with the error that stopped it. Never rejects. */
  readonly started: Promise<StartResult>;
  /** Resolves when the helper has exited. Never rejects. */
  readonly exited: Promise<ExitInfo>;
  /** The latest STATS record, null before the first. */
  readonly stats: HelperStats | null;
  readonly pid: number | undefined;
  /** Asks the helper to stop (final stats are still delivered); resolves once it has exited. */
  stop(): Promise<ExitInfo>;
}

function configOf(o: LiveCaptureOptions): CaptureConfig {
  return {
    interfaces: o.interfaces,
    filter: o.filter,
    snaplen: o.snaplen,
    bufferSize: o.bufferSize,
    statsIntervalMs: o.statsIntervalMs,
    maxQueueBytes: o.maxQueueBytes,
    allowPseudoDevice: o.allowPseudoDevice,
  };
}

function startHelper(
  cfg: CaptureConfig,
  h: HelperCommand,
  o: { wrap?: string[]; env?: Record<string, string>; launchNode?: NodeHelperLauncher },
): HelperProcess {
  // The Electron binary is no node: its RunAsNode fuse is off (electron-builder.yml), so the Node
  // helper runs as a utility process that main forks (it cannot be wrapped or given capture rights
  // of its own; the native helper is the one for that).
  if (h.native !== true && o.launchNode !== undefined) return o.launchNode(configArgs(h, cfg)[0]!);
  if (h.native !== true && process.versions.electron !== undefined)
    throw new Error('the Node capture helper cannot run here (no utility process launcher)');
  const wrap = o.wrap ?? [];
  const argv = [...wrap, h.command, ...h.args, ...configArgs(h, cfg)];
  const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
  return spawnedHelper(spawn(argv[0]!, argv.slice(1), { cwd: h.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] }));
}

/** The native helper says what failed and pcap's words; errors.ts writes the message. */
function helperError(h: HelperCommand, cfg: CaptureConfig, value: unknown): LiveError {
  if (h.native !== true) return value as LiveError;
  return nativeHelperError(value, {
    filter: cfg.filter ?? '',
    interfaces: cfg.interfaces,
    binary: h.command,
  });
}

/** A wrapper's (setpriv, ip netns exec, sh) words when exec refused the native helper. */
const EXEC_DENIED = /permission denied/i;

/**
 * A native helper that could not even start: libpcap is missing, or this user may not run it (it is
 * installed for the glasspane group only). It never writes to stderr itself.
 */
function cannotRun(h: HelperCommand, stderr: string): LiveError | null {
  if (h.native !== true) return null;
  if (NO_SHARED_LIB.test(stderr)) return captureUnavailable(stderr, true);
  if (EXEC_DENIED.test(stderr)) return notInCaptureGroup(h.command, stderr);
  return null;
}

/** spawn() itself failed; EACCES on the native helper means the capture group's permission. */
function spawnError(h: HelperCommand, e: Error, stderr: string): LiveError {
  if (h.native === true && (e as NodeJS.ErrnoException).code === 'EACCES')
    return notInCaptureGroup(h.command, e.message);
  return helperFailed(`could not be started (${e.message})`, stderr);
}

function stderrTail(child: HelperProcess): () => string {
  let tail = '';
  child.onStderr((d) => {
    tail = (tail + d).slice(-STDERR_TAIL);
  });
  return () => tail.trim();
}

export function startLiveCapture(
  opts: LiveCaptureOptions,
  onFrame: FrameCallback,
  onStatus: (s: LiveStatus) => void = () => {},
): LiveCapture {
  let resolveStarted!: (r: StartResult) => void;
  const started = new Promise<StartResult>((r) => (resolveStarted = r));
  let resolveExited!: (e: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((r) => (resolveExited = r));
  let isStarted = false;
  let settled = false;
  let reportedError = false;
  let stopRequested = false;
  let done = false;
  let latest: HelperStats | null = null;

  const settle = (r: StartResult) => {
    if (settled) return;
    settled = true;
    resolveStarted(r);
  };
  const report = (error: LiveError) => {
    reportedError = true;
    settle({ ok: false, error });
    onStatus({ kind: 'error', error });
  };

  const helper = opts.helper ?? resolveCaptureHelper();
  const cfg = configOf(opts);
  let child: HelperProcess;
  try {
    child = startHelper(cfg, helper, opts);
  } catch (e) {
    const error = helperFailed(`could not be started (${e instanceof Error ? e.message : String(e)})`);
    report(error);
    const exit: ExitInfo = { code: null, signal: null, expected: false };
    resolveExited(exit);
    return { started, exited, stats: null, pid: undefined, stop: () => exited };
  }
  const tail = stderrTail(child);

  const parser = new FrameParser({
    frame: onFrame,
    control: (rec: ControlRecord) => {
      if (rec.type === REC_STATUS) {
        const s = rec.value;
        if (s.kind === 'started') {
          isStarted = true;
          settle({ ok: true, interfaces: s.interfaces });
          onStatus(s);
        }
      } else if (rec.type === REC_STATS) {
        latest = rec.value;
        onStatus({ kind: 'stats', stats: rec.value });
      } else if (rec.type === REC_ERROR) {
        report(helperError(helper, cfg, rec.value));
      }
    },
    corrupt: (why) => {
      report(helperFailed(`it sent data that could not be read (${why})`));
      child.kill('SIGKILL');
    },
  });
  child.onStdout((d) => parser.push(d));
  child.onError((e) => {
    if (!reportedError) report(spawnError(helper, e, tail()));
  });

  let killTimer: NodeJS.Timeout | undefined;
  child.onClose((code, signal) => {
    done = true;
    if (killTimer !== undefined) clearTimeout(killTimer);
    const exit: ExitInfo = { code, signal, expected: stopRequested || reportedError };
    if (!reportedError && !stopRequested) {
      const detail = tail();
      // cap asserts (and so aborts) when polling the capture socket fails: the interface went away.
      if (isStarted && CAP_POLL_ABORT.test(detail)) report(interfaceLost(opts.interfaces, detail));
      else if (!isStarted)
        report(
          cannotRun(helper, detail) ??
            helperFailed(`it exited before capturing (code ${code ?? signal})`, detail),
        );
      else report(helperFailed(`it exited unexpectedly (code ${code ?? signal})`, detail));
    }
    // Only reached when stop() came before the helper had started.
    settle({ ok: false, error: helperFailed('it was stopped before capture started', tail()) });
    onStatus({ kind: 'exit', exit });
    resolveExited(exit);
  });

  const stop = (): Promise<ExitInfo> => {
    if (done || stopRequested) return exited;
    stopRequested = true;
    child.requestStop();
    const t = opts.stopTimeoutMs ?? 3000;
    killTimer = setTimeout(() => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), t);
    }, t);
    return exited;
  };

  return {
    started,
    exited,
    get stats() {
      return latest;
    },
    get pid() {
      return child.pid;
    },
    stop,
  };
}

/**
 * Lists interfaces through the helper, which sees them as it will capture them (inside `wrap`'s
 * network namespace, say). listInterfaces() in ./interfaces.ts does the same in-process.
 */
export function listInterfacesViaHelper(
  opts: {
    wrap?: string[];
    env?: Record<string, string>;
    helper?: HelperCommand;
    launchNode?: NodeHelperLauncher;
  } = {},
): Promise<{ ok: true; interfaces: InterfaceInfo[] } | { ok: false; error: LiveError }> {
  return new Promise((resolve) => {
    const helper = opts.helper ?? resolveCaptureHelper();
    const cfg: CaptureConfig = { interfaces: [], list: true };
    let child: HelperProcess;
    try {
      child = startHelper(cfg, helper, opts);
    } catch (e) {
      resolve({
        ok: false,
        error: helperFailed(`could not be started (${e instanceof Error ? e.message : e})`),
      });
      return;
    }
    const tail = stderrTail(child);
    let answer: { ok: true; interfaces: InterfaceInfo[] } | { ok: false; error: LiveError } | undefined;
    const parser = new FrameParser({
      frame: () => {},
      control: (rec) => {
        if (rec.type === REC_STATUS && rec.value.kind === 'interfaces') {
          answer ??= { ok: true, interfaces: rec.value.interfaces as InterfaceInfo[] };
        } else if (rec.type === REC_ERROR)
          answer ??= { ok: false, error: helperError(helper, cfg, rec.value) };
      },
      corrupt: (why) => {
        answer ??= { ok: false, error: helperFailed(`it sent data that could not be read (${why})`) };
        child.kill('SIGKILL');
      },
    });
    child.onStdout((d) => parser.push(d));
    child.onError((e) => {
      answer ??= { ok: false, error: spawnError(helper, e, tail()) };
    });
    child.onClose((code) => {
      const stderr = tail();
      const error =
        cannotRun(helper, stderr) ?? helperFailed(`it exited without answering (code ${code})`, stderr);
      resolve(answer ?? { ok: false, error });
    });
  });
}
