/**
 * `glasspane serve`: the real engine behind the web console. Prints the URL (token included) as the
 * first line on standard output, everything else on standard error; runs until SIGINT or SIGTERM.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../engine/engine';
import { createDispatcher } from '../ipc/dispatch';
import { UsageError } from '../cli/output';
import { parseDuration } from '../cli/duration';
import { loadAlertPolicy } from '../cli/alert-policy';
import type { AlertPolicy } from '../../shared/alerts/policy';
import type { Store } from '../store/store';
import { createEventHub } from '../ipc/event-hub';
import { chromiumPrinter } from '../report/pdf';
import { MAX_FRAME_BYTES } from '../../shared/ipc/wire';
import { isLoopbackAddress, normalizeHostName } from './security';
import { DEFAULT_HOST, startConsoleServer } from './server';
import { parseLimits, type LimitFlags } from '../cli/limits';
import { heapLine } from '../cli/heap';
import { ForwardUriError } from '../forward/destination';
import { dataDir, forwardOptions, type ForwardFlags } from '../forward/run';
import type { HostForwarding } from '../forward/host-forwarding';
import type { NatsFlags } from '../sensor/nats-connect';

export interface ServeOptions extends LimitFlags, ForwardFlags, NatsFlags {
  /** With --nats: the sites to follow (default: every one the account may read). */
  site?: string[];
  discoverMs?: string;
  /** With --nats: silence after which a sensor is disconnected ("5m"), and the clock skew flagged ("30s"). */
  sensorSilence?: string;
  maxClockSkew?: string;
  /** Glasspane's data folder, where forwarding queues live (default: the per-user one). */
  dataDir?: string;
  port?: string | number;
  host?: string;
  /** PEM certificate and key: serve https/wss. Required, with allowHost, off loopback. */
  tlsCert?: string;
  tlsKey?: string;
  /** Names clients use to reach the console (the Host and Origin they send). */
  allowHost?: string[];
  open?: string[];
  /** Clients may open capture files from this folder only. */
  captureDir?: string;
  db?: string;
  /** A YAML file of event kinds -> { severity, text } merged over the default alert policy. */
  alertPolicy?: string;
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

function parseDurationFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  try {
    const ms = parseDuration(v);
    if (ms > 0) return ms;
  } catch {
    // Said below, with the flag's name.
  }
  throw new ServeUsageError(`${flag} '${v}' is not a duration above zero: use e.g. 30s, 5m or 1h`);
}

/** The suggestion for every refusal to listen off loopback. */
export const SSH_TUNNEL_HINT =
  'or keep the default --host 127.0.0.1 and reach it through an SSH tunnel: ssh -L 8080:127.0.0.1:8080 sensor-host, then open http://127.0.0.1:8080/ with the token';

function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(e);
    throw new ServeUsageError(`cannot read ${flag} ${path}: ${why}`);
  }
}

/**
 * TLS and the allow-list: both required off loopback (the token would cross the network in clear,
 * and the Host check would have nothing to check against); the certificate is read here so a
 * wrong path is an argument error.
 */
export function tlsAndHosts(
  host: string,
  o: Pick<ServeOptions, 'tlsCert' | 'tlsKey' | 'allowHost'>,
): { tls?: { cert: Buffer; key: Buffer }; allowHosts: string[] } {
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined))
    throw new ServeUsageError('--tls-cert and --tls-key go together: give both (PEM files)');
  const allowHosts: string[] = [];
  for (const h of o.allowHost ?? []) {
    const n = normalizeHostName(h);
    if (n === null)
      throw new ServeUsageError(
        `--allow-host '${h}' is not a host name: give the name or address clients use, without a port (IPv6 in brackets)`,
      );
    allowHosts.push(n);
  }
  if (!isLoopbackAddress(host)) {
    const missing = [
      ...(o.tlsCert === undefined ? ['--tls-cert FILE --tls-key FILE'] : []),
      ...(allowHosts.length === 0 ? ['--allow-host NAME'] : []),
    ];
    if (missing.length > 0)
      throw new ServeUsageError(
        `refusing to serve the console on ${host} without ${missing.join(' and ')}: off loopback it needs TLS and the names clients use; ${SSH_TUNNEL_HINT}`,
      );
  }
  if (o.tlsCert === undefined || o.tlsKey === undefined) return { allowHosts };
  const tls = { cert: readPem('--tls-cert', o.tlsCert), key: readPem('--tls-key', o.tlsKey) };
  try {
    createSecureContext(tls);
  } catch (e) {
    throw new ServeUsageError(
      `the TLS certificate or key is not usable (${e instanceof Error ? e.message : String(e)}): give a PEM certificate in --tls-cert and its own private key in --tls-key`,
    );
  }
  return { tls, allowHosts };
}

/** --capture-dir as the engine checks against it: the real path of an existing folder. */
function checkCaptureDir(dir: string): string {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    throw new ServeUsageError(`--capture-dir ${dir}: no such folder; give an existing folder of captures`);
  }
  if (!statSync(real).isDirectory())
    throw new ServeUsageError(
      `--capture-dir ${dir} is not a folder; give the folder that holds the captures`,
    );
  return real;
}

function servePolicy(file: string): AlertPolicy {
  try {
    return loadAlertPolicy(file);
  } catch (e) {
    throw e instanceof UsageError ? new ServeUsageError(e.message) : e;
  }
}

export async function serveCommand(o: ServeOptions = {}): Promise<number> {
  const port = parsePort(o.port);
  const learnMs = parseLearn(o.learn);
  const silenceMs = parseDurationFlag('--sensor-silence', o.sensorSilence);
  const maxSkewMs = parseDurationFlag('--max-clock-skew', o.maxClockSkew);
  if (o.nats === undefined && (silenceMs !== undefined || maxSkewMs !== undefined))
    throw new ServeUsageError(
      "--sensor-silence and --max-clock-skew go with --nats URL (a sensors' console)",
    );
  const policy = o.alertPolicy !== undefined ? servePolicy(o.alertPolicy) : undefined;
  let limits;
  try {
    limits = parseLimits(o);
  } catch (e) {
    throw new ServeUsageError(e instanceof Error ? e.message : String(e));
  }
  let fwd;
  try {
    fwd = forwardOptions(o);
  } catch (e) {
    throw e instanceof ForwardUriError ? new ServeUsageError(e.message) : e;
  }
  const host = o.host ?? DEFAULT_HOST;
  const { tls, allowHosts } = tlsAndHosts(host, o);
  const captureDir = o.captureDir !== undefined ? checkCaptureDir(o.captureDir) : undefined;
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

  if (o.nats === undefined && o.site !== undefined)
    throw new ServeUsageError('--site needs --nats URL: the sites are those of the sensors on that broker');
  if (o.nats !== undefined && o.open !== undefined)
    throw new ServeUsageError(
      "--open and --nats do not go together: a --nats console shows the sensors' inventory; analyse captures with glasspane sensor --read",
    );

  // Devices and alerts go to the destinations as the engine's recorder records them.
  let forwarding: HostForwarding | null = null;
  let live = () => false;
  if (fwd.dests.length > 0) {
    const { startHostForwarding } = await import('../forward/host-forwarding');
    const { localOrigin } = await import('../forward/origin');
    try {
      forwarding = startHostForwarding({
        ...fwd,
        origin: localOrigin(),
        dataDir: dataDir(o.dataDir),
        live: () => live(),
        log: err,
      });
    } catch (e) {
      store?.close();
      throw new ServeUsageError(
        `cannot keep the forwarding queues in ${dataDir(o.dataDir)} (${e instanceof Error ? e.message : String(e)}): give a writable --data-dir`,
      );
    }
  }
  const hub = createEventHub((m) => err(m));
  const engine = createEngine({
    hub,
    store: store ?? undefined,
    learnMs,
    alerts: policy !== undefined ? { policy } : undefined,
    limits,
    log: err,
    // PDF exports are printed by the local Chromium; without one they answer what to do instead.
    printPdf: chromiumPrinter() ?? undefined,
    // A report travels in one WebSocket frame, with the envelope around it.
    maxReportChars: MAX_FRAME_BYTES - 64 * 1024,
    generator: `Glasspane ${process.env.GLASSPANE_VERSION ?? '0.1.0'}`,
    captureDir,
    recorded: forwarding ?? undefined,
    forwardMerged: forwarding ?? undefined,
    // The Forwarding settings the console's clients make are kept beside the queues. Only on
    // loopback: a destination names files the engine reads (secrets, CAs) and hosts it connects to,
    // which a client across the network must not choose.
    forwardingDir: isLoopbackAddress(host) ? dataDir(o.dataDir) : undefined,
    merged: o.nats !== undefined ? { sensors: { silenceMs, maxSkewMs } } : undefined,
    // Without --nats, the connection dialog's settings live in the data folder.
    connectionFile: o.nats === undefined ? join(dataDir(o.dataDir), 'console', 'sensors.json') : undefined,
  });
  live = () => engine.status.source?.kind === 'live';
  // The sensors' streams, followed from where the store's checkpoint left off.
  let sites: { close(): Promise<void> } | null = null;
  if (o.nats !== undefined && engine.merged !== null) {
    const merged = engine.merged;
    const { followSites } = await import('../sensor/site-link');
    try {
      sites = await followSites(
        { ...o, discoverMs: o.discoverMs !== undefined ? Number(o.discoverMs) : undefined },
        {
          stream: (site, created, lastSeq) => merged.stream(site, created, lastSeq),
          take: (site, seq, m, at) => merged.take(site, seq, m, at),
          refuse: (site, seq) => merged.refuse(site, seq),
          log: err,
        },
      );
    } catch (e) {
      await forwarding?.stop();
      await engine.close();
      store?.close();
      throw e instanceof UsageError ? new ServeUsageError(e.message) : e;
    }
  }
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
      tls,
      allowHosts,
    });
  } catch (e) {
    await forwarding?.stop();
    await sites?.close();
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
      `warning: listening on ${host}: the console is reachable from the network over TLS, for clients ` +
        `that name ${allowHosts.join(', ')}; anyone with the URL above can drive the engine`,
    );
  }
  err(
    `console at ${server.origin}/ (open the URL above; its token is valid until this server stops, ` +
      'so keep the URL private; Ctrl+C to stop)',
  );

  if (captureDir !== undefined) err(`clients may open capture files in ${captureDir} only`);
  if (o.nats !== undefined) err(`following the sensors' streams at ${o.nats}; ${heapLine()}`);
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
  await sites?.close();
  await engine.close();
  // After the engine's last batch: what it raised is queued, then sent for at most 5 s.
  await forwarding?.stop();
  store?.close();
  return 0;
}
