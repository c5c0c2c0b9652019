/**
 * Simulated sensors for the sensor bench (bench/sensors.ts), several to a process of their own, so
 * that neither the console's figures nor the other sensors' wait on one event loop. Each sensor is
 * an Analyzer fed crafted frames with the sensor's own publisher (SensorPublisher, its disk Outbox)
 * on the site stream the bench created. Talks on stdin and stdout, one JSON line each:
 * 1. at start, every sensor sees `devices` devices (a gratuitous ARP each) and publishes them as its
 *    first delta; {"published": true} once the broker acknowledged all of it. The analyzer of that
 *    run is let go as soon as its delta is in the outbox (one large analyzer alive at a time);
 * 2. on "steady": a second run of each sensor (an empty analyzer, as after a restart: a delta then
 *    costs a pass over what it knows, not over 10,000 devices) flushes a delta every second and, at
 *    a phase of its own, sees one new device (a DHCP request, MAC 06:…) and traffic from 20 known
 *    ones each second; {"injected": [[id, epochMs]...], "flushed": [[id, epochMs]...]} in batches;
 * 3. on "stop": the last flush, the outboxes drained, {"done": true}.
 * argv: NATS URL, user, password file, scratch folder, devices per sensor, first and last sensor
 * index (0-based, inclusive), and the known devices' steady traffic: "arp" (a gratuitous ARP each)
 * or "gateway" (a UDP exchange each with a remote address through the site's gateway, 10 remote
 * addresses a sensor seen every second and 10 new ones: the gateway routes, and every delta touches it).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Analyzer } from '../shared/engine/analyzer';
import { createAnalyzer } from '../src-main/engine/pipeline';
import { DiskQueue } from '../src-main/forward/disk-queue';
import { Outbox } from '../src-main/sensor/outbox';
import { SensorPublisher } from '../src-main/sensor/publisher';
import { arp, ethernet, udpFrame } from '../test/helpers/packets';
import { dhcpRequestFrame } from '../test/helpers/dhcp-frames';
import { SENSORS_PER_SITE, sensorName, siteOf } from './sensor-names';

const [url, user, passwordFile, dir, devicesArg, firstArg, lastArg, traffic] = process.argv.slice(2);
const devices = Number(devicesArg);

/** Traffic from known devices in each second's delta, beside the one new device. */
const KNOWN_PER_TICK = 20;

interface Sensor {
  site: string;
  name: string;
  a: Analyzer;
  nc: NatsConnection;
  queue: DiskQueue;
  outbox: Outbox;
  pub: SensorPublisher;
  frames: number;
}

const hex2 = (n: number) => (n & 255).toString(16).padStart(2, '0');
/** Bulk devices are 02:ss:ss:dd:dd:dd, new ones in the steady phase 06:ss:ss:dd:dd:dd (the console watches 06:). */
const macOf = (first: number, s: number, d: number) =>
  [first, s >> 8, s, d >> 16, d >> 8, d].map(hex2).join(':');
const ipOf = (d: number) => `10.${(d >> 16) & 255}.${(d >> 8) & 255}.${d & 255}`;
const now = () => performance.timeOrigin + performance.now();
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

function feed(x: Sensor, frame: Uint8Array): void {
  x.frames++;
  x.a.frame(frame, 1, Date.now() / 1000, frame.length, 0);
}

function arpFrom(s: number, d: number): Uint8Array {
  const mac = macOf(2, s, d);
  const ip = ipOf(d);
  return ethernet('ff:ff:ff:ff:ff:ff', mac, 0x0806, arp(1, mac, ip, '00:00:00:00:00:00', ip));
}

/** Known device `d` of sensor `s` and remote address number `k` (0-9: the same every second) talk through the gateway. */
function throughGateway(x: Sensor, s: number, d: number, k: number): void {
  const host = { mac: macOf(2, s, d), ip: ipOf(d), port: 40000 + (k % 1000) };
  const far = k < 10 ? `198.51.${s & 255}.${k + 1}` : `203.${s & 255}.${(k >> 8) & 255}.${(k & 255) + 1}`;
  // One gateway to a site: every sensor of the site sees it.
  const site = Math.floor(s / SENSORS_PER_SITE);
  const remote = { mac: `02:ff:ff:00:${hex2(site >> 8)}:${hex2(site)}`, ip: far, port: 53 };
  feed(x, udpFrame(host, remote, new Uint8Array(4)));
  feed(x, udpFrame(remote, host, new Uint8Array(8)));
}

/** A fresh analyzer and publisher for sensor `x` (a run of its own), on the sensor's outbox. */
function newRun(x: Sensor, run: string): void {
  x.a = createAnalyzer();
  x.pub = new SensorPublisher(x.a, { site: x.site, sensor: x.name, run }, x.outbox, {
    mode: 'live',
    interfaces: ['bench'],
    packets: () => x.frames,
    analysed: () => x.frames,
    drops: () => 0,
  });
}

async function drained(sensors: Sensor[], timeoutMs: number): Promise<void> {
  for (const x of sensors)
    if (!(await x.outbox.drained(timeoutMs)))
      throw new Error(
        `sensor ${x.name}'s outbox did not drain in ${timeoutMs / 1000} s (${x.outbox.lastError ?? 'no error'})`,
      );
}

const pass = readFileSync(passwordFile!, 'utf8').trim();
const sensors: Sensor[] = [];
for (let s = Number(firstArg); s <= Number(lastArg); s++) {
  const name = sensorName(s);
  const nc = await connect({ servers: url!, user, pass });
  const queue = DiskQueue.open(mkdtempSync(join(dir!, `${name}-`)), `nats ${siteOf(s)}/${name}`);
  const outbox = new Outbox(queue);
  outbox.attach(nc);
  outbox.start();
  const x: Sensor = { site: siteOf(s), name, a: null!, nc, queue, outbox, pub: null!, frames: 0 };
  newRun(x, `bench-${s}`);
  for (let d = 0; d < devices; d++) feed(x, arpFrom(s, d));
  x.pub.flush();
  // The delta is in the outbox: the steady run starts from nothing, and this one's memory goes.
  newRun(x, `bench-${s}-steady`);
  sensors.push(x);
}
await drained(sensors, 600_000);
say({ published: true });

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const command = async () => {
  const r = await lines.next();
  return r.done === true ? 'stop' : r.value;
};
if ((await command()) === 'steady') {
  const timers: NodeJS.Timeout[] = [];
  let injected: [string, number][] = [];
  let flushed: [string, number][] = [];
  const flushes: (() => void)[] = [];
  sensors.forEach((x, i) => {
    const s = Number(firstArg) + i;
    let k = 0;
    let unflushed: string[] = [];
    const flush = () => {
      const at = now();
      x.pub.flush();
      for (const id of unflushed) flushed.push([id, at]);
      unflushed = [];
    };
    flushes.push(flush);
    // Injections and flushes each once a second, at phases of their own: the wait for the next
    // flush is anywhere from 0 to 1 s, as for a frame on a real wire.
    timers.push(setTimeout(() => timers.push(setInterval(flush, 1000)), Math.random() * 1000));
    const inject = () => {
      const mac = macOf(6, s, k);
      const f = dhcpRequestFrame({ mac, ip: ipOf(devices + k) }, `new-${s}-${k}`, k + 1);
      injected.push([`mac:${mac}`, now()]);
      unflushed.push(`mac:${mac}`);
      feed(x, f);
      for (let j = 0; j < KNOWN_PER_TICK; j++) {
        const d = Math.floor(Math.random() * devices);
        if (traffic === 'gateway') throughGateway(x, s, d, j < 10 ? j : 10 + k * 10 + j);
        else feed(x, arpFrom(s, d));
      }
      k++;
    };
    timers.push(setTimeout(() => timers.push(setInterval(inject, 1000)), Math.random() * 1000));
  });
  const report = () => {
    if (injected.length === 0 && flushed.length === 0) return;
    say({ injected, flushed });
    injected = [];
    flushed = [];
  };
  const reporter = setInterval(report, 200);
  await command();
  for (const t of timers) clearTimeout(t);
  for (const flush of flushes) flush();
  clearInterval(reporter);
  report();
}
await drained(sensors, 60_000);
for (const x of sensors) {
  await x.outbox.stop();
  x.queue.close();
  await x.nc.close().catch(() => {});
}
say({ done: true });
process.exit(0);
