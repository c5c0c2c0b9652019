/**
 * `glasspane sensor`: the headless engine host that publishes to NATS JetStream. It analyses as
 * `glasspane analyze` does (the same analyzer; live capture through the same capture helper and
 * rights model, analyze-live.ts) and publishes partial-inventory deltas, alerts and health to its
 * site's stream through a disk outbox, so a broker outage costs nothing but delay.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { join, basename } from 'node:path';
import { hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import { createAnalyzer, analyzeFile } from '../engine/pipeline';
import { CaptureFileError } from '../capture/file-source';
import { analyzeLive, type LiveProbe, type LiveRunOptions } from '../cli/analyze-live';
import { totalDrops } from '../capture/live/framing';
import { UsageError } from '../cli/output';
import { parseDuration } from '../cli/duration';
import { dataDir, forwardOptions, type ForwardFlags } from '../forward/run';
import { ForwardUriError } from '../forward/destination';
import { startHostForwarding, type HostForwarding } from '../forward/host-forwarding';
import { localOrigin } from '../forward/origin';
import { DiskQueue } from '../forward/disk-queue';
import { nameProblem } from '../../shared/sensor/subjects';
import { BrokerUnreachable, connectNats, natsOptions, type NatsFlags } from './nats-connect';
import { DEFAULT_STREAM_LIMITS, ensureSiteStream, type StreamLimits } from './site-stream';
import { Outbox } from './outbox';
import { SensorPublisher, type CaptureCounters } from './publisher';
import { loadSensorConfig } from './sensor-config';
import { sizeBytes } from '../cli/size';

export interface SensorOptions extends NatsFlags, ForwardFlags {
  config?: string;
  site?: string;
  sensor?: string;
  l2domain?: string;
  iface?: string[];
  filter?: string;
  read?: string[];
  /** Deltas every this long (live; default 1s). */
  interval?: string;
  maxAge?: string;
  duplicateWindow?: string;
  /** The outbox's bound on disk (default 100MB). */
  bufferSize?: string;
  dataDir?: string;
  learn?: string;
  /** --read: how long to wait for the broker's acks at the end before leaving the rest queued. */
  wait?: string;
  /** --iface: stop after this long (tests, timed captures). */
  duration?: string;
  /** Capture helper options for --iface (tests only). */
  live?: LiveRunOptions['live'];
}

export const HEALTH_EVERY_MS = 10_000;

function duration(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const ms = parseDuration(v);
  if (!(ms > 0) || !Number.isFinite(ms))
    throw new UsageError(`--${flag} '${v}' is not a duration above zero: use e.g. 10s, 5m or 7d`);
  return ms;
}

/** The command line over the config file: an option given on both comes from the command line. */
function withConfig(o: SensorOptions): SensorOptions {
  if (o.config === undefined) return o;
  const file = loadSensorConfig(o.config) as Partial<SensorOptions>;
  const out: SensorOptions = { ...file };
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** The host name as a sensor name: the part before the first dot, with other characters made '-'. */
function defaultSensorName(): string {
  return (
    hostname()
      .split('.')[0]!
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 64) || 'sensor'
  );
}

/**
 * The run of a --read: the same captures read by the same sensor give the same run (and so the
 * same message ids: a replay is stored once and merges as itself); anything else is a new run.
 */
async function readRun(site: string, sensor: string, files: string[]): Promise<string> {
  const h = createHash('sha256').update(`${site}\n${sensor}\n`);
  for (const f of files) {
    let st;
    try {
      st = statSync(f);
    } catch {
      throw new UsageError(`cannot read ${f}: no such file`);
    }
    // A FIFO can be read once: its run is new each time.
    if (!st.isFile()) return randomBytes(8).toString('hex');
    await new Promise<void>((done, fail) =>
      createReadStream(f)
        .on('data', (d) => h.update(d))
        .on('end', done)
        .on('error', (e) => fail(new UsageError(`cannot read ${f}: ${e.message}`))),
    );
    h.update('\n');
  }
  return h.digest('hex').slice(0, 16);
}

export async function sensorCommand(given: SensorOptions): Promise<number> {
  const o = withConfig(given);
  if (o.site === undefined)
    throw new UsageError('--site NAME is required: the site this sensor watches, e.g. --site plant-1');
  const site = o.site;
  const sensor = o.sensor ?? defaultSensorName();
  for (const [what, v] of [
    ['site', site],
    ['sensor', sensor],
  ] as const) {
    const p = nameProblem(what, v);
    if (p !== null) throw new UsageError(p);
  }
  if (o.l2domain !== undefined && nameProblem('site', o.l2domain) !== null)
    throw new UsageError(
      `--l2domain ${JSON.stringify(o.l2domain)} is not a name: a letter or digit, then letters, digits, '-' and '_'`,
    );
  const ifaces = o.iface ?? [];
  const files = o.read ?? [];
  if (ifaces.length > 0 === files.length > 0)
    throw new UsageError('give --iface IF (capture live) or --read CAPTURE (capture files), one of the two');
  if (files.includes('-'))
    throw new UsageError("--read takes capture files: standard input ('-') cannot be replayed");
  if (o.filter !== undefined && ifaces.length === 0)
    throw new UsageError('--filter applies to live capture: add --iface IF');
  natsOptions(o);
  let fwd;
  try {
    fwd = forwardOptions(o);
  } catch (e) {
    throw e instanceof ForwardUriError ? new UsageError(e.message) : e;
  }
  const intervalMs = duration('interval', o.interval, 1000);
  const limits: StreamLimits = {
    maxAgeMs: duration('max-age', o.maxAge, DEFAULT_STREAM_LIMITS.maxAgeMs),
    duplicateWindowMs: duration(
      'duplicate-window',
      o.duplicateWindow,
      DEFAULT_STREAM_LIMITS.duplicateWindowMs,
    ),
  };
  // A stopping live sensor (systemctl stop) waits less: what is unacknowledged stays queued on disk.
  const waitMs = duration('wait', o.wait, ifaces.length > 0 ? 10_000 : 60_000);
  const durationMs = o.duration !== undefined ? duration('duration', o.duration, 0) : undefined;
  const learnMs = o.learn !== undefined ? parseDuration(o.learn) : undefined;
  const bufferBytes = o.bufferSize === undefined ? 100e6 : sizeBytes('--buffer-size', o.bufferSize);
  // The captures are read (for the run's name) before anything connects: a missing file costs nothing.
  const run = ifaces.length > 0 ? randomBytes(8).toString('hex') : await readRun(site, sensor, files);

  // Credentials first: a refused sensor says so before it analyses or queues anything.
  let nc: NatsConnection | null = null;
  try {
    nc = await connectNats(o);
  } catch (e) {
    if (!(e instanceof BrokerUnreachable)) throw e;
    process.stderr.write(
      `glasspane: warning: ${e.message}; analysing anyway, and buffering on disk until it answers\n`,
    );
  }
  try {
    return await runSensor(
      o,
      { site, sensor, run, ifaces, files, intervalMs, limits, waitMs, durationMs, learnMs, bufferBytes, fwd },
      nc,
    );
  } finally {
    // A failure before the run took it over must not leave the connection holding the process open.
    await nc?.close().catch(() => {});
  }
}

interface Plan {
  site: string;
  sensor: string;
  run: string;
  ifaces: string[];
  files: string[];
  intervalMs: number;
  limits: StreamLimits;
  waitMs: number;
  durationMs?: number;
  learnMs?: number;
  bufferBytes: number;
  fwd: ReturnType<typeof forwardOptions>;
}

/**
 * `--forward` on the sensor: its recorder's batches (devices, alerts) become events carrying its site
 * and name, on the wall clock when capturing live and on capture time when reading files.
 */
function sensorForwarding(o: SensorOptions, p: Plan): HostForwarding | null {
  if (p.fwd.dests.length === 0) return null;
  const dir = dataDir(o.dataDir);
  try {
    return startHostForwarding({
      ...p.fwd,
      origin: localOrigin({ site: p.site, sensor: p.sensor }),
      dataDir: dir,
      live: () => p.ifaces.length > 0,
      log: (m) => process.stderr.write(`glasspane: ${m}\n`),
    });
  } catch (e) {
    throw new UsageError(
      `cannot keep the forwarding queues in ${dir} (${(e as Error).message}): give a writable --data-dir`,
    );
  }
}

async function runSensor(o: SensorOptions, p: Plan, first: NatsConnection | null): Promise<number> {
  const dir = join(dataDir(o.dataDir), 'sensor', `${p.site}.${p.sensor}`);
  let queue: DiskQueue;
  try {
    queue = DiskQueue.open(dir, `nats ${p.site}/${p.sensor}`, p.bufferBytes);
  } catch (e) {
    throw new UsageError(
      `cannot keep the sensor's buffer in ${dir} (${(e as Error).message}): give a writable --data-dir`,
    );
  }
  if (!queue.claim()) {
    queue.close();
    throw new UsageError(
      `another sensor named ${p.sensor} for site ${p.site} runs on this machine: give this one another --sensor`,
    );
  }
  let forwarding: HostForwarding | null;
  try {
    forwarding = sensorForwarding(o, p);
  } catch (e) {
    queue.release();
    queue.close();
    throw e;
  }
  const outbox = new Outbox(queue);
  const droppedBefore = queue.stats().dropped;
  let nc = first;
  let refused: string | null = null;
  outbox.onRefused = (why) => {
    if (refused === null)
      process.stderr.write(
        `glasspane: warning: the broker refuses this sensor's messages (${why}): is stream GLASSPANE_${p.site} there, and may this account publish on glasspane.${p.site}.${p.sensor}.>? They stay queued\n`,
      );
    refused = why;
  };
  outbox.onOversize = (n, max) =>
    process.stderr.write(
      `glasspane: warning: a message of ${n} bytes is larger than the broker takes (${max}): dropped and counted (raise max_payload on the server)\n`,
    );
  const attach = async (c: NatsConnection) => {
    const w = await ensureSiteStream(c, p.site, p.limits);
    if (w !== null) process.stderr.write(`glasspane: warning: ${w}\n`);
    outbox.attach(c);
  };
  // A broker that was away at the start is tried again every few seconds.
  let stopped = false;
  let retry: Promise<void> | null = null;
  if (nc !== null) await attach(nc);
  else
    retry = (async () => {
      let said = '';
      while (!stopped && nc === null) {
        await new Promise((r) => setTimeout(r, 2000));
        try {
          nc = await connectNats(o);
          await attach(nc);
          process.stderr.write(`glasspane: connected to ${o.nats}: sending what was buffered\n`);
        } catch (e) {
          // Credentials refused now (the broker came back with other accounts): said once, kept trying.
          const m = (e as Error).message;
          if (!(e instanceof BrokerUnreachable) && m !== said)
            process.stderr.write(`glasspane: warning: ${m}\n`);
          said = m;
        }
      }
    })();
  outbox.start();

  const a = createAnalyzer();
  const live = p.ifaces.length > 0;
  let probe: LiveProbe | null = null;
  let frames = 0;
  const counters: CaptureCounters = {
    mode: live ? 'live' : 'read',
    interfaces: live ? p.ifaces : p.files.map((f) => basename(f)),
    packets: () => {
      const s = probe?.stats() ?? null;
      return live
        ? Math.max(s?.interfaces.reduce((n, i) => n + i.packets, 0) ?? 0, probe?.analysed() ?? 0)
        : frames;
    },
    analysed: () => (live ? (probe?.analysed() ?? 0) : frames),
    drops: () => {
      const s = probe?.stats() ?? null;
      return s !== null ? totalDrops(s) : 0;
    },
  };
  const pub = new SensorPublisher(
    a,
    { site: p.site, sensor: p.sensor, run: p.run, l2domain: o.l2domain },
    outbox,
    counters,
    {
      learnMs: p.learnMs,
    },
  );
  if (forwarding !== null) pub.recorder.on((r) => forwarding.recorded(r));
  const health = setInterval(() => pub.health(), HEALTH_EVERY_MS);
  let failure: string | null = null;
  try {
    if (live) {
      const ticker = setInterval(() => pub.flush(), p.intervalMs);
      try {
        const r = await analyzeLive(a, {
          interfaces: p.ifaces,
          filter: o.filter,
          durationMs: p.durationMs,
          durationText: o.duration,
          progress: false,
          live: o.live,
          onStarted: (x) => (probe = x),
        });
        for (const w of r.warnings) process.stderr.write(`glasspane: warning: ${w}\n`);
        failure = r.failure;
      } finally {
        clearInterval(ticker);
      }
    } else {
      // Deltas at the end of each file: the same captures give the same messages, so a replay is a duplicate.
      for (const f of p.files) {
        let r;
        try {
          r = await analyzeFile(a, f, { streams: true });
        } catch (e) {
          if (e instanceof CaptureFileError) throw new UsageError(e.message);
          throw e;
        }
        frames += r.frames;
        for (const w of r.warnings) process.stderr.write(`glasspane: ${basename(f)}: warning: ${w}\n`);
        pub.flush();
      }
    }
    pub.flush();
    clearInterval(health);
    pub.health(true);
    const sent = pub.sent;
    // Said when the broker is slow or away: the run is not stuck, it waits (--wait) for the acks.
    if (!(await outbox.drained(Math.min(1000, p.waitMs))))
      process.stderr.write(
        `glasspane: analysed ${counters.analysed()} frames, ${a.inventory.size} devices; waiting for the broker to acknowledge ${outbox.pending} message(s)\n`,
      );
    const acked = await outbox.drained(p.waitMs);
    const s = outbox.stats();
    const summary =
      `${a.inventory.size} devices from ${counters.analysed()} frames; queued ${sent.delta} delta(s), ${sent.alert} alert(s), ${sent.health} health message(s): ` +
      `${outbox.published} stored, ${outbox.duplicates} already in the stream`;
    const full = s.dropped - droppedBefore;
    const droppedNow = full + outbox.oversize;
    const dropped =
      (full > 0 ? `; ${full} dropped because the buffer was full (--buffer-size)` : '') +
      (outbox.oversize > 0 ? `; ${outbox.oversize} dropped as larger than the broker takes` : '');
    if (!acked) {
      process.stderr.write(
        `glasspane: ${summary}${dropped}; ${s.queued} message(s) still unacknowledged after ${p.waitMs / 1000} s (${refused ?? outbox.lastError ?? 'broker unreachable'}): they wait in ${dir} and go with this sensor's next run\n`,
      );
      return 1;
    }
    process.stderr.write(`glasspane: ${summary}${dropped}\n`);
    if (failure !== null) process.stderr.write(`glasspane: the capture stopped early: ${failure}\n`);
    return failure !== null || droppedNow > 0 ? 1 : 0;
  } finally {
    clearInterval(health);
    stopped = true;
    // The broker's acks were waited for above; the destinations get at most 5 s more, the rest waits on disk.
    await forwarding?.stop();
    await outbox.stop();
    await retry;
    // The connection the run ended with (made at the start or by the retries) lets the process end.
    await (nc as NatsConnection | null)?.close().catch(() => {});
    queue.release();
    queue.close();
  }
}
