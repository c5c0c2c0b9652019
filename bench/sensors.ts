/**
 * The sensors part of `npm run bench` (alone: `npm run bench -- --only sensors`), issue 16 part 6:
 * one console merging N simulated sensors through a real nats-server with JetStream on loopback.
 * The sensors are in-process: each is an Analyzer fed crafted frames, with the sensor's own
 * publisher (SensorPublisher, its disk Outbox, the site's stream from site-stream.ts), ten sensors
 * to a site. The console is a process of its own (bench/sensors-console.ts), so its memory is its own.
 * Per N:
 * 1. every sensor sees `devices` devices (a gratuitous ARP each) and publishes them as its first
 *    delta; the bench waits until the broker has acknowledged all of it;
 * 2. the console starts late and replays the streams with the console's reader (readSite) into one
 *    PartialAccumulator: deltas merged per second, from its start until it holds every device;
 * 3. steady state for `seconds`: every sensor flushes a delta every second (the live sensor's
 *    default interval) and, at a random moment each second, sees one new device (a DHCP request)
 *    and traffic from 20 known ones; the console follows the streams live. Latency is from the
 *    frame entering the sensor's analyzer to the console's merged inventory holding the new device,
 *    so it includes the wait for the sensor's next flush (up to 1 s), as on a real wire.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Analyzer } from '../shared/engine/analyzer';
import { createAnalyzer } from '../src-main/engine/pipeline';
import { DiskQueue } from '../src-main/forward/disk-queue';
import { Outbox } from '../src-main/sensor/outbox';
import { SensorPublisher } from '../src-main/sensor/publisher';
import { DEFAULT_STREAM_LIMITS, ensureSiteStream } from '../src-main/sensor/site-stream';
import { natsUnavailable, TestNats } from '../test/helpers/nats-server';
import { arp, ethernet } from '../test/helpers/packets';
import { dhcpRequestFrame } from '../test/helpers/dhcp-frames';
import { root } from './capture';

export interface SensorBenchOptions {
  counts: number[];
  /** Devices per sensor, at most; and across all sensors, at most (a smaller partial per sensor). */
  devices: number;
  total: number;
  seconds: number;
}

const SENSORS_PER_SITE = 10;
/** Traffic from known devices in each second's delta, beside the one new device. */
const KNOWN_PER_TICK = 20;
const USER = { user: 'bench', password: 'bench-password' };

interface Sensor {
  site: string;
  a: Analyzer;
  nc: NatsConnection;
  queue: DiskQueue;
  outbox: Outbox;
  pub: SensorPublisher;
  frames: number;
}

interface Row {
  n: number;
  devices: number;
  publishS: number;
  replayS: number;
  replayDeltas: number;
  steadyDeltas: number;
  peakRssMiB: number;
  injected: number;
  latencies: number[];
  /** From the sensor's flush that carried the device (the delta leaving for the outbox) to the console. */
  fromFlush: number[];
}

const hex2 = (n: number) => (n & 255).toString(16).padStart(2, '0');
/** Bulk devices are 02:ss:ss:dd:dd:dd, new ones in the steady phase 06:ss:ss:dd:dd:dd (the console watches 06:). */
const macOf = (first: number, s: number, d: number) =>
  [first, s >> 8, s, d >> 16, d >> 8, d].map(hex2).join(':');
const ipOf = (d: number) => `10.${(d >> 16) & 255}.${(d >> 8) & 255}.${d & 255}`;
const now = () => performance.timeOrigin + performance.now();

function feed(x: Sensor, frame: Uint8Array): void {
  x.frames++;
  x.a.frame(frame, 1, Date.now() / 1000, frame.length, 0);
}

/** A fresh analyzer and publisher for sensor `x` (a run of its own), on the sensor's outbox. */
function newRun(x: Sensor, sensor: string, run: string): void {
  x.a = createAnalyzer();
  x.pub = new SensorPublisher(x.a, { site: x.site, sensor, run }, x.outbox, {
    mode: 'live',
    interfaces: ['bench'],
    packets: () => x.frames,
    analysed: () => x.frames,
    drops: () => 0,
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function waitDrained(sensors: Sensor[], timeoutMs: number): Promise<void> {
  for (const x of sensors)
    if (!(await x.outbox.drained(timeoutMs)))
      throw new Error(
        `a sensor's outbox did not drain in ${timeoutMs / 1000} s (${x.outbox.lastError ?? 'no error'})`,
      );
}

async function round(n: number, o: SensorBenchOptions): Promise<Row> {
  const devices = Math.min(o.devices, Math.floor(o.total / n));
  const nats = await new TestNats([USER]).start();
  const dir = mkdtempSync(join(tmpdir(), 'gp-bench-sensors-'));
  const sensors: Sensor[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    // 1. Each sensor's first delta: `devices` devices.
    const t0 = performance.now();
    for (let s = 0; s < n; s++) {
      const site = `site${String(Math.floor(s / SENSORS_PER_SITE) + 1).padStart(2, '0')}`;
      const sensor = `sensor${String(s + 1).padStart(3, '0')}`;
      const nc = await connect({ servers: nats.url, user: USER.user, pass: USER.password });
      if (s % SENSORS_PER_SITE === 0) await ensureSiteStream(nc, site, DEFAULT_STREAM_LIMITS);
      const queue = DiskQueue.open(mkdtempSync(join(dir, `${sensor}-`)), `nats ${site}/${sensor}`);
      const outbox = new Outbox(queue);
      outbox.attach(nc);
      outbox.start();
      const x: Sensor = { site, a: null!, nc, queue, outbox, pub: null!, frames: 0 };
      newRun(x, sensor, `bench-${s}`);
      for (let d = 0; d < devices; d++) {
        const mac = macOf(2, s, d);
        const ip = ipOf(d);
        feed(x, ethernet('ff:ff:ff:ff:ff:ff', mac, 0x0806, arp(1, mac, ip, '00:00:00:00:00:00', ip)));
      }
      x.pub.flush();
      sensors.push(x);
    }
    await waitDrained(sensors, 600_000);
    const publishS = (performance.now() - t0) / 1000;
    // The steady deltas come from a second run of each sensor (as after a restart), whose analyzer
    // starts empty: a delta costs the sensor a pass over its whole inventory (partialOf with a
    // marker), tens of ms at 10,000 devices, which N sensors in this one process could not pay
    // every second; each real sensor pays it on its own machine. The console still merges them
    // into everything it holds.
    sensors.forEach((x, s) => newRun(x, `sensor${String(s + 1).padStart(3, '0')}`, `bench-${s}-steady`));

    // 2. The console, started late: replays what is stored.
    const sites = [...new Set(sensors.map((x) => x.site))];
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'bench', 'sensors-console.ts'),
        nats.url,
        USER.user,
        nats.passwordFile(USER.user),
        'mac:06:',
        ...sites,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const next = async (): Promise<Record<string, unknown>> => {
      const r = await lines.next();
      if (r.done === true) throw new Error('the console process ended early');
      return JSON.parse(r.value) as Record<string, unknown>;
    };
    const caught = await next();
    const want = n * devices;
    if (caught.devices !== want)
      throw new Error(
        `the console merged ${String(caught.devices)} devices, not the ${want} the sensors sent`,
      );

    // 3. Steady state: a delta per sensor per second, one new device each at a random moment in it.
    const injectedAt = new Map<string, number>();
    /** The flush after each injection: when its delta went to the outbox. */
    const flushedAt = new Map<string, number>();
    const latencies: number[] = [];
    const fromFlush: number[] = [];
    let done: Record<string, unknown> | null = null;
    const reading = (async () => {
      for (;;) {
        const m = await next();
        if (m.done === true) {
          done = m;
          return;
        }
        for (const [key, at] of m.seen as [string, number][]) {
          const id = key.slice(key.lastIndexOf('/mac:') + 1);
          const t = injectedAt.get(id);
          if (t !== undefined) latencies.push(at - t);
          const f = flushedAt.get(id);
          if (f !== undefined) fromFlush.push(at - f);
        }
      }
    })();
    const flushes: (() => void)[] = [];
    sensors.forEach((x, s) => {
      let k = 0;
      let unflushed: string[] = [];
      const flush = () => {
        const at = now();
        x.pub.flush();
        for (const id of unflushed) flushedAt.set(id, at);
        unflushed = [];
      };
      flushes.push(flush);
      timers.push(setTimeout(() => timers.push(setInterval(flush, 1000)), Math.random() * 1000));
      // Injections and flushes each once a second, at phases of their own: the wait for the next
      // flush is anywhere from 0 to 1 s, as for a frame on a real wire.
      const inject = () => {
        const mac = macOf(6, s, k);
        const f = dhcpRequestFrame({ mac, ip: ipOf(devices + k) }, `new-${s}-${k}`, k + 1);
        injectedAt.set(`mac:${mac}`, now());
        unflushed.push(`mac:${mac}`);
        feed(x, f);
        for (let j = 0; j < KNOWN_PER_TICK; j++) {
          const d = Math.floor(Math.random() * devices);
          const m = macOf(2, s, d);
          feed(x, ethernet('ff:ff:ff:ff:ff:ff', m, 0x0806, arp(1, m, ipOf(d), '00:00:00:00:00:00', ipOf(d))));
        }
        k++;
      };
      timers.push(setTimeout(() => timers.push(setInterval(inject, 1000)), Math.random() * 1000));
    });
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    for (const t of timers) clearTimeout(t);
    for (const flush of flushes) flush();
    await waitDrained(sensors, 60_000);
    // What was injected has had its flush; the console gets a moment to merge the last of it.
    const end = Date.now() + 10_000;
    while (latencies.length < injectedAt.size && Date.now() < end)
      await new Promise((r) => setTimeout(r, 100));
    child.stdin!.end('stop\n');
    await reading;
    const d = done as Record<string, unknown> | null;
    if (d === null) throw new Error('the console did not report');
    return {
      n,
      devices,
      publishS,
      replayS: Number(caught.caughtUp) / 1000,
      replayDeltas: Number(caught.messages),
      steadyDeltas: Number(d.merged) - Number(caught.messages),
      peakRssMiB: Number(d.peakRssKiB) / 1024,
      injected: injectedAt.size,
      latencies: latencies.sort((p, q) => p - q),
      fromFlush: fromFlush.sort((p, q) => p - q),
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const x of sensors) {
      await x.outbox.stop();
      x.queue.close();
      await x.nc.close().catch(() => {});
    }
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
    `\nsensors -> nats-server (JetStream, loopback) -> console: ${o.devices} devices per sensor (at most ${o.total} in all), then ${o.seconds} s of one delta per sensor per second`,
  );
  console.log(
    [
      'sensors',
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
    ].join('\t'),
  );
  for (const n of o.counts) {
    const r = await round(n, o);
    console.log(
      [
        r.n,
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
      ].join('\t'),
    );
  }
}
