/**
 * The sensors part of `npm run bench` (alone: `npm run bench -- --only sensors`), issue 16 part 6:
 * one console merging N simulated sensors through a real nats-server with JetStream on loopback.
 * The sensors run in child processes of their own (bench/sensors-publisher.ts, `perProcess` to a
 * process, ten sensors to a site), each an Analyzer fed crafted frames with the sensor's own
 * publisher (SensorPublisher, its disk Outbox) on its site's stream, which the bench creates. The
 * console is a process of its own too (bench/sensors-console.ts), so its memory and its event loop
 * are its own. Per N:
 * 1. every sensor sees `devices` devices (a gratuitous ARP each) and publishes them as its first
 *    delta; the bench waits until the broker has acknowledged all of it;
 * 2. the console starts late and replays the streams with the console's reader (readSite) into one
 *    PartialAccumulator: deltas merged per second, from its start until it holds every device;
 * 3. steady state for `seconds`: every sensor flushes a delta every second (the live sensor's
 *    default interval) and, at a random moment each second, sees one new device (a DHCP request)
 *    and traffic from 20 known ones; the console follows the streams live. Latency is from the
 *    frame entering the sensor's analyzer to the console's merged inventory holding the new device,
 *    so it includes the wait for the sensor's next flush (up to 1 s), as on a real wire. The
 *    processes' clocks are one (performance.timeOrigin + now(): epoch milliseconds on one machine).
 *    With `gateway`, the known devices' traffic goes to remote addresses through their site's gateway
 *    (a MAC that routes), so nearly every delta touches a router; with `rebuild`, the console also
 *    rebuilds the merged inventory as `serve --nats` does (IncrementalInventory, at most every 200 ms
 *    when something changed) and says how many rebuilds it did, how many in full and why, and their time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { getHeapStatistics } from 'node:v8';
import { connect } from '@nats-io/transport-node';
import { DEFAULT_STREAM_LIMITS, ensureSiteStream } from '../src-main/sensor/site-stream';
import { wantedHeapMiB } from '../src-main/cli/heap';
import { natsUnavailable, TestNats } from '../test/helpers/nats-server';
import { root } from './capture';
import { siteOf } from './sensor-names';

export interface SensorBenchOptions {
  counts: number[];
  /** Devices per sensor, at most; and across all sensors, at most (a smaller partial per sensor). */
  devices: number;
  total: number;
  seconds: number;
  /** Simulated sensors to a child process. */
  perProcess: number;
  /** Steady traffic through each site's gateway (a router), not ARP. */
  gateway?: boolean;
  /** The console rebuilds the inventory as `serve --nats` does. */
  rebuild?: boolean;
}

const USER = { user: 'bench', password: 'bench-password' };

interface Row {
  n: number;
  devices: number;
  processes: number;
  publishS: number;
  replayS: number;
  replayDeltas: number;
  steadyDeltas: number;
  peakRssMiB: number;
  injected: number;
  latencies: number[];
  /** From the sensor's flush that carried the device (the delta leaving for the outbox) to the console. */
  fromFlush: number[];
  /** With `rebuild`: the console's rebuilds in the steady phase (what sensors-console.ts says). */
  rebuilds?: {
    count: number;
    full: number;
    routed: number;
    ms: number;
    maxMs: number;
    why: string;
    /** The first rebuild (full), before the steady phase. */
    firstMs: number;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A child process of the bench that speaks JSON lines on stdout and takes commands on stdin. */
interface Child {
  p: ChildProcess;
  next(): Promise<Record<string, unknown>>;
  say(line: string): void;
}

function child(script: string, args: string[], node: string[] = []): Child {
  const p = spawn(process.execPath, [...node, '--import', 'tsx', join(root, 'bench', script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: p.stdout! })[Symbol.asyncIterator]();
  return {
    p,
    async next() {
      const r = await lines.next();
      if (r.done === true) throw new Error(`bench/${script} ended early (exit ${p.exitCode})`);
      return JSON.parse(r.value) as Record<string, unknown>;
    },
    say(line) {
      p.stdin!.write(line + '\n');
    },
  };
}

async function round(n: number, o: SensorBenchOptions): Promise<Row> {
  const devices = Math.min(o.devices, Math.floor(o.total / n));
  const nats = await new TestNats([USER]).start();
  const dir = mkdtempSync(join(tmpdir(), 'gp-bench-sensors-'));
  const children: Child[] = [];
  try {
    const sites = [...new Set(Array.from({ length: n }, (_, s) => siteOf(s)))];
    const nc = await connect({ servers: nats.url, user: USER.user, pass: USER.password });
    for (const site of sites) await ensureSiteStream(nc, site, DEFAULT_STREAM_LIMITS);
    await nc.close();

    // 1. Each sensor's first delta: `devices` devices, from the sensors' own processes.
    const t0 = performance.now();
    const publishers: Child[] = [];
    for (let first = 0; first < n; first += o.perProcess) {
      const last = Math.min(n, first + o.perProcess) - 1;
      const args = [nats.url, USER.user, nats.passwordFile(USER.user), dir, String(devices)];
      const traffic = o.gateway === true ? 'gateway' : 'arp';
      publishers.push(child('sensors-publisher.ts', [...args, String(first), String(last), traffic]));
    }
    children.push(...publishers);
    for (const p of publishers) await p.next();
    const publishS = (performance.now() - t0) / 1000;

    // 2. The console, started late: replays what is stored. With the heap a console gives itself
    // (src-main/cli/heap.ts: half the machine's memory).
    const console_ = child(
      'sensors-console.ts',
      [
        nats.url,
        USER.user,
        nats.passwordFile(USER.user),
        'mac:06:',
        o.rebuild === true ? 'rebuild' : 'merge',
        ...sites,
      ],
      [
        `--max-old-space-size=${Math.max(wantedHeapMiB(undefined), getHeapStatistics().heap_size_limit / 2 ** 20)}`,
      ],
    );
    children.push(console_);
    const caught = await console_.next();
    const want = n * devices;
    if (caught.devices !== want)
      throw new Error(
        `the console merged ${String(caught.devices)} devices, not the ${want} the sensors sent`,
      );

    // The console's first rebuild is full: the steady phase starts after it.
    const rebuilt = o.rebuild === true ? Number((await console_.next()).rebuilt) : undefined;

    // 3. Steady state: a delta per sensor per second, one new device each at a random moment in it.
    const injectedAt = new Map<string, number>();
    /** The flush after each injection: when its delta went to the outbox. */
    const flushedAt = new Map<string, number>();
    const seenAt = new Map<string, number>();
    let done: Record<string, unknown> | null = null;
    const reading = (async () => {
      for (;;) {
        const m = await console_.next();
        if (m.done === true) {
          done = m;
          return;
        }
        for (const [key, at] of m.seen as [string, number][])
          seenAt.set(key.slice(key.lastIndexOf('/mac:') + 1), at);
      }
    })();
    const told = publishers.map(async (p) => {
      for (;;) {
        const m = await p.next();
        if (m.done === true) return;
        for (const [id, at] of m.injected as [string, number][]) injectedAt.set(id, at);
        for (const [id, at] of m.flushed as [string, number][]) flushedAt.set(id, at);
      }
    });
    for (const p of publishers) p.say('steady');
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    // The last flush, drained: what was injected has had its delta.
    for (const p of publishers) p.say('stop');
    await Promise.all(told);
    // The console gets a moment to merge the last of it.
    const end = Date.now() + 10_000;
    while ([...injectedAt.keys()].some((id) => !seenAt.has(id)) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 100));
    console_.say('stop');
    await reading;
    const d = done as Record<string, unknown> | null;
    if (d === null) throw new Error('the console did not report');
    const latencies: number[] = [];
    const fromFlush: number[] = [];
    for (const [id, at] of seenAt) {
      const t = injectedAt.get(id);
      if (t !== undefined) latencies.push(at - t);
      const f = flushedAt.get(id);
      if (f !== undefined) fromFlush.push(at - f);
    }
    return {
      n,
      devices,
      processes: publishers.length,
      publishS,
      replayS: Number(caught.caughtUp) / 1000,
      replayDeltas: Number(caught.messages),
      steadyDeltas: Number(d.merged) - Number(caught.messages),
      peakRssMiB: Number(d.peakRssKiB) / 1024,
      injected: injectedAt.size,
      latencies: latencies.sort((p, q) => p - q),
      fromFlush: fromFlush.sort((p, q) => p - q),
      ...(d.rebuilds !== undefined
        ? { rebuilds: { ...(d.rebuilds as NonNullable<Row['rebuilds']>), firstMs: rebuilt ?? NaN } }
        : {}),
    };
  } finally {
    for (const c of children) if (c.p.exitCode === null) c.p.kill('SIGKILL');
    await nats.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchSensors(o: SensorBenchOptions): Promise<void> {
  const why = natsUnavailable();
  if (why !== null) {
    console.log(`\nsensors: skipped (${why})`);
    return;
  }
  console.log(
    `\nsensors (${o.perProcess} to a process) -> nats-server (JetStream, loopback) -> console: ${o.devices} devices per sensor (at most ${o.total} in all), then ${o.seconds} s of one delta per sensor per second` +
      (o.gateway === true ? ', known devices talking through their site gateway' : '') +
      (o.rebuild === true ? ', the console rebuilding as serve --nats does' : ''),
  );
  console.log(
    [
      'sensors',
      'processes',
      'devices each',
      'devices',
      'publish s',
      'replay s',
      'replay deltas/s',
      'replay devices/s',
      'steady deltas/s',
      'console peak RSS MB',
      'latency p50 ms',
      'p95 ms',
      'flush->console p50 ms',
      'p95 ms',
      'new devices seen',
      ...(o.rebuild === true
        ? [
            'first rebuild ms',
            'rebuilds',
            'full',
            'with routers',
            'rebuild mean ms',
            'max ms',
            'full because',
          ]
        : []),
    ].join('\t'),
  );
  for (const n of o.counts) {
    const r = await round(n, o);
    console.log(
      [
        r.n,
        r.processes,
        r.devices,
        r.n * r.devices,
        r.publishS.toFixed(1),
        r.replayS.toFixed(1),
        Math.round(r.replayDeltas / r.replayS),
        Math.round((r.n * r.devices) / r.replayS),
        (r.steadyDeltas / o.seconds).toFixed(1),
        Math.round(r.peakRssMiB),
        Math.round(percentile(r.latencies, 50)),
        Math.round(percentile(r.latencies, 95)),
        Math.round(percentile(r.fromFlush, 50)),
        Math.round(percentile(r.fromFlush, 95)),
        `${r.latencies.length}/${r.injected}`,
        ...(r.rebuilds !== undefined
          ? [
              Math.round(r.rebuilds.firstMs),
              r.rebuilds.count,
              r.rebuilds.full,
              r.rebuilds.routed,
              Math.round(r.rebuilds.ms / Math.max(1, r.rebuilds.count)),
              Math.round(r.rebuilds.maxMs),
              r.rebuilds.why,
            ]
          : []),
      ].join('\t'),
    );
  }
}
