/**
 * The Node capture helper under Electron. Only the main process may fork a utility process, and the
 * engine runs in one itself, so the engine asks main over its port, main forks capture-process.cjs
 * (Electron's utilityProcess.fork, stdout and stderr piped) and relays what it writes. The same
 * port carries the engine protocol (../../ipc/engine-port.ts); each side ignores the other's messages.
 *
 *   engine -> main   { t: 'helper', op: 'fork', id, config }     config: the helper's JSON (argv[2])
 *   engine -> main   { t: 'helper', op: 'stop' | 'kill', id }
 *   main -> engine   { t: 'helper', id, ev: 'stdout', data }      data: bytes of the framing
 *   main -> engine   { t: 'helper', id, ev: 'stderr', text }
 *   main -> engine   { t: 'helper', id, ev: 'exit', code }
 *
 * Main decides which module runs: the engine names only the configuration, which the helper checks.
 */
import { z } from 'zod';
import type { PortLike } from '../../ipc/engine-port';
import type { HelperProcess, NodeHelperLauncher } from './helper-process';

/** A config line is small; anything larger is not ours. */
const MAX_CONFIG = 64 * 1024;
/** Helpers one engine may have running at once (a capture and an interface listing). */
const MAX_HELPERS = 8;

const helperId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const toMain = z.discriminatedUnion('op', [
  z.object({
    t: z.literal('helper'),
    op: z.literal('fork'),
    id: helperId,
    config: z.string().max(MAX_CONFIG),
  }),
  z.object({ t: z.literal('helper'), op: z.literal('stop'), id: helperId }),
  z.object({ t: z.literal('helper'), op: z.literal('kill'), id: helperId }),
]);
const toEngine = z.discriminatedUnion('ev', [
  z.object({ t: z.literal('helper'), id: helperId, ev: z.literal('stdout'), data: z.instanceof(Uint8Array) }),
  z.object({ t: z.literal('helper'), id: helperId, ev: z.literal('stderr'), text: z.string() }),
  z.object({
    t: z.literal('helper'),
    id: helperId,
    ev: z.literal('exit'),
    code: z.number().int().nullable(),
  }),
]);

/** What main uses of Electron's UtilityProcess (typed here so this file needs no Electron). */
export interface ForkedHelper {
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  kill(): boolean;
  once(event: 'exit', listener: (code: number) => void): unknown;
}

/**
 * Main's side: forks the Node helper for the engine on `port` with `fork(configJson)` (in the app,
 * utilityProcess.fork of dist/capture-process.cjs) and relays its output. Returns a function that
 * kills every helper still running (the engine is gone).
 */
export function serveHelperForks(port: PortLike, fork: (configJson: string) => ForkedHelper): () => void {
  const running = new Map<number, ForkedHelper>();
  const stopListening = port.listen((raw) => {
    const m = toMain.safeParse(raw);
    if (!m.success) return;
    const { id } = m.data;
    if (m.data.op !== 'fork') {
      const c = running.get(id);
      // A utility process reads no stdin: 'stop' travels as a message (capture-process.ts listens).
      if (m.data.op === 'stop') c?.postMessage('stop');
      else c?.kill();
      return;
    }
    if (running.has(id) || running.size >= MAX_HELPERS) {
      port.post({ t: 'helper', id, ev: 'exit', code: null });
      return;
    }
    let c: ForkedHelper;
    try {
      c = fork(m.data.config);
    } catch (e) {
      port.post({ t: 'helper', id, ev: 'stderr', text: e instanceof Error ? e.message : String(e) });
      port.post({ t: 'helper', id, ev: 'exit', code: null });
      return;
    }
    running.set(id, c);
    c.stdout?.on('data', (d: Buffer) =>
      port.post({ t: 'helper', id, ev: 'stdout', data: new Uint8Array(d) }),
    );
    c.stderr?.on('data', (d: Buffer | string) =>
      port.post({ t: 'helper', id, ev: 'stderr', text: String(d) }),
    );
    c.once('exit', (code) => {
      running.delete(id);
      port.post({ t: 'helper', id, ev: 'exit', code });
    });
  });
  return () => {
    stopListening();
    for (const c of running.values()) c.kill();
    running.clear();
  };
}

/** The engine's side: a launcher for live-source that has main fork the Node helper. */
export function relayedHelperLauncher(port: PortLike): NodeHelperLauncher {
  let nextId = 1;
  return (config) => {
    const id = nextId++;
    const out: ((d: Buffer) => void)[] = [];
    const err: ((t: string) => void)[] = [];
    const close: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];
    const stopListening = port.listen((raw) => {
      const m = toEngine.safeParse(raw);
      if (!m.success || m.data.id !== id) return;
      const e = m.data;
      if (e.ev === 'stdout') {
        const b = Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
        for (const l of out) l(b);
      } else if (e.ev === 'stderr') for (const l of err) l(e.text);
      else {
        stopListening();
        for (const l of close) l(e.code, null);
      }
    });
    port.post({ t: 'helper', op: 'fork', id, config });
    return {
      // The utility process's pid is main's to know; nothing here needs it.
      pid: undefined,
      onStdout: (l) => out.push(l),
      onStderr: (l) => err.push(l),
      onError: () => {},
      onClose: (l) => close.push(l),
      requestStop: () => port.post({ t: 'helper', op: 'stop', id }),
      kill: () => port.post({ t: 'helper', op: 'kill', id }),
    } satisfies HelperProcess;
  };
}
