/**
 * `glasspane serve`: the real engine behind the web console. Prints the URL (token included) as the
 * first line on standard output, everything else on standard error; runs until SIGINT or SIGTERM.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../engine/engine';
import { createDispatcher } from '../ipc/dispatch';
import { UsageError } from '../cli/output';
import { parseDuration } from '../cli/db';
import type { Store } from '../store/store';
import { createEventHub } from '../ipc/event-hub';
import { chromiumPrinter } from '../report/pdf';
import { MAX_FRAME_BYTES } from '../../shared/ipc/wire';
import { isLoopbackAddress } from './security';
import { DEFAULT_HOST, startConsoleServer } from './server';
import { parseLimits, type LimitFlags } from '../cli/limits';

export interface ServeOptions extends LimitFlags {
  port?: string | number;
  host?: string;
  open?: string[];
  db?: string;
  /** Alert learning period in capture time ("1h", "10m", "0"), when the store has none saved. */
  learn?: string;
  /** The renderer build to serve (default: dist/renderer beside the sources or the bundle). */
  renderer?: string;
  /** Resolves to stop the server (tests, embedding); SIGINT/SIGTERM always stop it. */
  stop?: Promise<void>;
}

/** A mistake the person can fix (the CLI prints it as one line and exits with 2). */
export class ServeUsageError extends UsageError {}

/** dist/renderer from a source checkout (src-main/serve/) or beside the bundled CLI (dist/cli.cjs). */
export function defaultRendererDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', 'dist', 'renderer'), join(here, 'renderer')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? null;
}

export function parsePort(v: string | number | undefined): number {
  if (v === undefined) return 0;
  const n = typeof v === 'number' ? v : /^\d{1,5}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ServeUsageError(`invalid port '${v}': use 0 to 65535`);
  return n;
}

const err = (m: string) => process.stderr.write(`glasspane: ${m}\n`);

/** Opens the device store when --db is given (loaded only then); the engine records into it. */
async function openStore(path: string): Promise<Store> {
  const { Store } = await import('../store/store');
  return new Store(resolve(path));
}

function parseLearn(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseDuration(v);
  } catch (e) {
    throw new ServeUsageError(e instanceof Error ? e.message : String(e));
  }
}

export async function serveCommand(o: ServeOptions = {}): Promise<number> {
  const port = parsePort(o.port);
  const learnMs = parseLearn(o.learn);
  let limits;
  try {
    limits = parseLimits(o);
  } catch (e) {
    throw new ServeUsageError(e instanceof Error ? e.message : String(e));
  }
  const host = o.host ?? DEFAULT_HOST;
  const rendererDir = o.renderer !== undefined ? resolve(o.renderer) : defaultRendererDir();
  if (rendererDir === null || !existsSync(join(rendererDir, 'index.html'))) {
    err('the console UI is not built (run: npm run build); serving the engine socket only');
  }

  let store: Store | null = null;
  if (o.db !== undefined) {
    try {
      store = await openStore(o.db);
    } catch (e) {
      throw new ServeUsageError(
        `cannot open the device store ${o.db}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  const hub = createEventHub((m) => err(m));
  const engine = createEngine({
    hub,
    store: store ?? undefined,
    learnMs,
    limits,
    log: err,
    // PDF exports are printed by the local Chromium; without one they answer what to do instead.
    printPdf: chromiumPrinter() ?? undefined,
    // A report travels in one WebSocket frame, with the envelope around it.
    maxReportChars: MAX_FRAME_BYTES - 64 * 1024,
    generator: `Glasspane ${process.env.GLASSPANE_VERSION ?? '0.1.0'}`,
  });
  const dispatch = createDispatcher(engine, (m) => err(m));
  let server;
  try {
    server = await startConsoleServer({
      host,
      port,
      staticDir: rendererDir,
      dispatch,
      hub,
      log: (m) => err(m),
    });
  } catch (e) {
    await engine.close();
    store?.close();
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? `port ${port} is in use; choose another with --port, or --port 0 for any free one`
        : code === 'EADDRNOTAVAIL'
          ? `${host} is not an address of this machine`
          : code === 'EACCES'
            ? `no permission to listen on port ${port}; use a port above 1023`
            : e instanceof Error
              ? e.message
              : String(e);
    throw new ServeUsageError(`cannot listen on ${host}:${port}: ${why}`);
  }

  // The first line on stdout is the URL; scripts and tests read it.
  process.stdout.write(server.url + '\n');
  if (!isLoopbackAddress(host)) {
    err(
      `warning: listening on ${host}: the console is reachable from the network (the token is still ` +
        'required, but traffic is not encrypted; prefer the default 127.0.0.1 and an SSH tunnel)',
    );
  }
  err(`console at ${server.origin}/ (open the URL above; Ctrl+C to stop)`);

  if (o.open !== undefined && o.open.length > 0) {
    const r = await dispatch('openCapture', { paths: o.open.map((p) => resolve(p)) });
    if (!r.ok) err(`cannot open ${o.open.join(', ')}: ${r.error.message}`);
  }

  await new Promise<void>((done) => {
    const onInt = () => stop('interrupted');
    const onTerm = () => stop('terminated');
    const stop = (why: string | null) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (why !== null) err(`${why}: shutting down`);
      done();
    };
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    void o.stop?.then(() => stop(null));
  });
  await server.close();
  await engine.close();
  store?.close();
  return 0;
}
