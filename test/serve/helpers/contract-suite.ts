/**
 * One suite of contract checks (calls and events), run against every way of reaching the engine:
 * the in-process engine behind the dispatcher, and `glasspane serve` over its WebSocket. Each
 * transport hands back raw results and events; the suite validates them with the contract, as the
 * renderer does.
 */
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  events as eventSchemas,
  parseCallResult,
  type Alert,
  type CaptureStatus,
  type DeviceDelta,
  type Snapshot,
} from '../../../shared/ipc/contract';
import type { CallName } from '../../../shared/ipc/channels';
import { demoCapturePath } from '../../../src-main/demo/demo-path';
import { generateDemoFrames } from '../../../src-main/demo/generate';
import { INTERNET, NET } from '../../../src-main/demo/network';
import { groundTruth, PCAPS, skipUnlessCorpus } from '../../helpers/corpus';
import { parse as parseCsv } from 'csv-parse/sync';
import type { InventoryJson } from '../../../shared/model/inventory';

export interface ContractTransport {
  call(name: string, payload: unknown): Promise<unknown>;
  /** Every event received so far, in order. */
  readonly events: { name: string; payload: unknown }[];
  close(): Promise<void>;
}

async function until<T>(probe: () => T | undefined | null | false, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function ok<K extends CallName>(t: ContractTransport, name: K, payload: unknown) {
  const r = parseCallResult(name, await t.call(name, payload));
  if (!r.ok) assert.fail(`${name} failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}

const statuses = (t: ContractTransport, from: number) =>
  t.events
    .slice(from)
    .filter((e) => e.name === 'captureStatus')
    .map((e) => e.payload as CaptureStatus);

/** Opens `paths` and waits for the run to end; returns the events of this run. */
async function runCapture(t: ContractTransport, paths: string[]) {
  const from = t.events.length;
  const st = await ok(t, 'openCapture', { paths });
  assert.equal(st.state, 'running');
  const end = await until(
    () => statuses(t, from).find((s) => s.state === 'finished' || s.state === 'failed'),
    'the end of the run',
  );
  // Events after the final status (none expected) would be in flight still; a short pause settles it.
  await new Promise((r) => setTimeout(r, 100));
  return { end, events: t.events.slice(from) };
}

/** Applies deltas as the renderer does; returns what it holds at the end. */
function replay(evs: { name: string; payload: unknown }[]) {
  const devices = new Map<string, unknown>();
  const edges = new Set<string>();
  let seq = -1;
  let sawReset = false;
  for (const e of evs) {
    if (e.name !== 'deviceDelta') continue;
    const d = e.payload as DeviceDelta;
    if (seq >= 0) assert.equal(d.sequence, seq + 1, 'delta sequence numbers rise by one');
    seq = d.sequence;
    if (d.reset) {
      sawReset = true;
      devices.clear();
      edges.clear();
    }
    for (const u of d.upserts) devices.set(u.id, u);
    for (const r of d.removals) devices.delete(r);
    for (const x of d.edgeUpserts) edges.add(`${x.a}|${x.b}`);
    for (const x of d.edgeRemovals) edges.delete(`${x.a}|${x.b}`);
  }
  return { devices, edges, sawReset, lastSeq: seq };
}

export interface SuiteOptions {
  /** The engine behind the transport keeps a device store (a fresh one for every `open`). */
  store: boolean;
  /** Its alert learning period is 0: everything after the first packet raises alerts. */
  learnNothing: boolean;
  /** The host prints PDF reports (a local Chromium); without, PDF exports answer supported: false. */
  pdf?: boolean;
}

const alertsOf = (evs: { name: string; payload: unknown }[]) =>
  evs.filter((e) => e.name === 'alert').map((e) => e.payload as Alert);

export function contractSuite(
  label: string,
  open: () => Promise<ContractTransport>,
  opts: SuiteOptions = { store: false, learnNothing: false },
): void {
  const withT = (name: string, fn: (t: ContractTransport, ctx: TestContext) => Promise<void>) =>
    test(`${label}: ${name}`, async (ctx) => {
      const t = await open();
      try {
        await fn(t, ctx);
      } finally {
        await t.close();
      }
    });

  withT('listSources lists this machine’s interfaces and says whether live capture works', async (t) => {
    const s = await ok(t, 'listSources', {});
    const names = s.interfaces.map((i) => i.name);
    for (const n of Object.keys(networkInterfaces()))
      assert.ok(names.includes(n), `${n} missing from ${names}`);
    if (!s.live.available) assert.ok(s.live.fix.length > 0, 'an unavailable live capture says how to fix it');
  });

  withT('the console has no file picker: chooseCaptureFiles says so', async (t) => {
    assert.deepEqual(await ok(t, 'chooseCaptureFiles', {}), { supported: false, paths: [] });
  });

  withT('unknown calls and payloads that fail the schema are refused as data, not crashes', async (t) => {
    const unknown = parseCallResult('listSources', await t.call('deleteEverything', {}));
    assert.equal(unknown.ok, false);
    assert.equal(!unknown.ok && unknown.error.code, 'unknown-call');
    for (const bad of [{ paths: [] }, { paths: ['/x'], extra: 1 }, { paths: 'x' }, null]) {
      const r = parseCallResult('openCapture', await t.call('openCapture', bad));
      assert.equal(r.ok, false, JSON.stringify(bad));
      assert.equal(!r.ok && r.error.code, 'bad-request');
    }
    // Still answering afterwards.
    assert.equal((await ok(t, 'getSnapshot', {})).status.state, 'idle');
  });

  withT('a missing file ends the run as failed, with a message that names it', async (t) => {
    const { end } = await runCapture(t, ['/nonexistent/glasspane-missing.pcap']);
    assert.equal(end.state, 'failed');
    assert.match(end.message ?? '', /glasspane-missing\.pcap/);
  });

  withT('the demo capture: status events, deltas that add up to the snapshot, and its devices', async (t) => {
    const path = await demoCapturePath();
    const frames = generateDemoFrames().records.length;
    const { end, events } = await runCapture(t, [path]);
    assert.equal(end.state, 'finished', end.message ?? '');
    assert.equal(end.counters.packets, frames);
    for (const e of events) {
      const schema = eventSchemas[e.name as keyof typeof eventSchemas];
      assert.ok(schema, `unknown event ${e.name}`);
      assert.ok(schema.safeParse(e.payload).success, `${e.name} fails its schema`);
    }
    const held = replay(events);
    assert.ok(held.sawReset, 'the first delta of a new run resets the view');
    const snap: Snapshot = await ok(t, 'getSnapshot', {});
    assert.equal(snap.status.state, 'finished');
    assert.ok(snap.sequence >= held.lastSeq);
    assert.deepEqual([...held.devices.keys()].sort(), snap.devices.map((d) => d.id).sort());
    assert.deepEqual([...held.edges].sort(), snap.edges.map((e) => `${e.a}|${e.b}`).sort());
    // Every LAN host of the generator is there with its MAC and address; Internet peers are routed.
    const byMac = new Map(snap.devices.filter((d) => d.mac).map((d) => [d.mac!, d]));
    for (const h of Object.values(NET)) {
      const d = byMac.get(h.mac);
      assert.ok(d, `${h.name} (${h.mac}) missing`);
      if (h !== NET.switch) assert.ok(d.ips.includes(h.ip), `${h.name} lacks ${h.ip}: ${d.ips}`);
    }
    for (const peer of INTERNET) {
      const d = snap.devices.find((x) => x.ips.includes(peer.ip));
      assert.ok(d?.routed, `${peer.ip} should be routed`);
    }
  });

  withT('a corpus capture: the devices tshark sees are in the snapshot', async (t, ctx) => {
    const file = 'modbus__suricata-verify__modbus.pcap';
    if (skipUnlessCorpus(ctx)) return;
    const gt = groundTruth().find((g) => g.file === file);
    assert.ok(gt, `${file} has no ground truth`);
    const { end } = await runCapture(t, [resolve(PCAPS, file)]);
    assert.equal(end.state, 'finished');
    assert.equal(end.counters.packets, gt.packets);
    const snap = await ok(t, 'getSnapshot', {});
    for (const dev of gt.devices) {
      const d = snap.devices.find((x) => x.mac === dev.macs[0]);
      assert.ok(d, `${dev.key} missing`);
      for (const ip of dev.ips) assert.ok(d.ips.includes(ip), `${dev.key} lacks ${ip}`);
    }
    assert.ok(snap.devices.some((d) => d.protocols.includes('modbus')));
  });

  withT(
    'a second run replaces the first (reset), and stopCapture after the end keeps its state',
    async (t) => {
      const path = await demoCapturePath();
      await runCapture(t, [path]);
      const from = t.events.length;
      const { end } = await runCapture(t, [path, join(PCAPS, 'does-not-exist.pcap')]);
      assert.equal(end.state, 'failed', 'the missing second file fails the run');
      const deltas = t.events.slice(from).filter((e) => e.name === 'deviceDelta');
      assert.ok(deltas.length > 0);
      assert.equal((deltas[0]!.payload as DeviceDelta).reset, true);
      // What was read before the failure stays.
      const snap = await ok(t, 'getSnapshot', {});
      assert.ok(snap.devices.some((d) => d.mac === NET.plc1.mac));
      const stopped = await ok(t, 'stopCapture', {});
      assert.equal(stopped.state, 'failed');
    },
  );

  withT('listAlerts, getTimeline and interfaceCounters answer before any run', async (t) => {
    assert.deepEqual(await ok(t, 'listAlerts', {}), { alerts: [], total: 0 });
    assert.deepEqual(await ok(t, 'listAlerts', { deviceId: 'mac:02:00:00:00:00:01', limit: 5 }), {
      alerts: [],
      total: 0,
    });
    // An unknown device has an empty timeline, not an error.
    assert.deepEqual(await ok(t, 'getTimeline', { id: 'mac:02:00:00:00:00:01' }), {
      supported: opts.store,
      entries: [],
    });
    const before = Date.now();
    const c = await ok(t, 'interfaceCounters', {});
    assert.ok(c.at >= before - 1000 && c.at <= Date.now() + 1000, `at ${c.at} is not the host's clock`);
    if (process.platform === 'linux') {
      assert.equal(c.supported, true);
      const lo = c.interfaces.find((i) => i.name === 'lo');
      assert.ok(lo, `no lo in ${c.interfaces.map((i) => i.name)}`);
      assert.equal(typeof lo.packets, 'number');
      assert.equal(typeof lo.bytes, 'number');
      assert.ok(lo.bytes! >= lo.packets!, 'a packet is at least a byte');
    }
    const bad: [CallName, unknown][] = [
      ['listAlerts', { limit: 0 }],
      ['listAlerts', { limit: 10_001 }],
      ['listAlerts', { limit: 1.5 }],
      ['listAlerts', { deviceId: '' }],
      ['listAlerts', { extra: 1 }],
      ['getTimeline', {}],
      ['getTimeline', { id: 'x'.repeat(257) }],
      ['interfaceCounters', { name: 'lo' }],
    ];
    for (const [name, payload] of bad) {
      const r = parseCallResult(name, await t.call(name, payload));
      assert.equal(!r.ok && r.error.code, 'bad-request', `${name} accepted ${JSON.stringify(payload)}`);
    }
  });

  if (opts.learnNothing)
    withT('the demo capture raises alerts: alert events, and listAlerts has them newest first', async (t) => {
      const { end, events } = await runCapture(t, [await demoCapturePath()]);
      assert.equal(end.state, 'finished', end.message ?? '');
      const raised = alertsOf(events);
      for (const a of raised) assert.ok(eventSchemas.alert.safeParse(a).success, `${a.id} fails its schema`);
      const ids = raised.map((a) => a.id);
      assert.equal(new Set(ids).size, ids.length, 'each alert is raised once');
      // With nothing learned, every device of the network is new; the PLC is one of them.
      const plc = `mac:${NET.plc1.mac}`;
      const newPlc = raised.filter((a) => a.kind === 'new-device' && a.deviceId === plc);
      assert.equal(newPlc.length, 1, `no new-device alert for ${plc}: ${ids.join(', ')}`);
      assert.equal(newPlc[0]!.detail.mac, NET.plc1.mac);
      assert.equal(newPlc[0]!.severity, 'medium');

      const all = await ok(t, 'listAlerts', {});
      assert.equal(all.total, raised.length);
      assert.deepEqual(all.alerts.map((a) => a.id).sort(), [...ids].sort());
      for (let i = 1; i < all.alerts.length; i++)
        assert.ok(all.alerts[i - 1]!.at >= all.alerts[i]!.at, 'newest first');

      const one = await ok(t, 'listAlerts', { deviceId: plc });
      assert.ok(one.total >= 1);
      assert.ok(one.alerts.every((a) => a.deviceId === plc));
      assert.ok(one.alerts.some((a) => a.kind === 'new-device'));
      assert.equal(one.total, raised.filter((a) => a.deviceId === plc).length);
      const first = await ok(t, 'listAlerts', { limit: 1 });
      assert.equal(first.alerts.length, 1);
      assert.equal(first.total, raised.length);
      assert.deepEqual(first.alerts[0], all.alerts[0]);
    });

  withT('getTimeline after a run: the store’s history of a device, or unsupported without one', async (t) => {
    await runCapture(t, [await demoCapturePath()]);
    const snap = await ok(t, 'getSnapshot', {});
    const plc = snap.devices.find((d) => d.mac === NET.plc1.mac);
    assert.ok(plc, 'the PLC is in the snapshot');
    const tl = await ok(t, 'getTimeline', { id: plc.id });
    if (!opts.store) {
      assert.deepEqual(tl, { supported: false, entries: [] });
      return;
    }
    assert.equal(tl.supported, true);
    assert.ok(tl.entries.length > 0);
    assert.ok(tl.entries.every((e) => e.deviceId === plc.id));
    assert.deepEqual(
      { field: tl.entries[0]!.field, new: tl.entries[0]!.new },
      { field: 'device', new: 'discovered' },
      'a timeline starts with the discovery',
    );
    assert.ok(
      tl.entries.some((e) => e.field === 'ip' && e.new === NET.plc1.ip),
      'the PLC gained its address',
    );
    assert.deepEqual(await ok(t, 'getTimeline', { id: 'mac:02:00:00:00:00:01' }), {
      supported: true,
      entries: [],
    });
  });

  withT('exportReport: the devices asked for, in every format; refusals as data', async (t) => {
    // Before any run: an empty report, not an error.
    const empty = await ok(t, 'exportReport', { format: 'csv' });
    assert.equal(empty.supported, true);
    assert.equal(empty.devices, 0);
    const bad: unknown[] = [
      { format: 'docx' },
      { format: 'csv', deviceIds: [''] },
      { format: 'csv', deviceIds: 'x' },
      { format: 'csv', title: 'x'.repeat(100_000) },
      { format: 'csv', extra: 1 },
      {},
    ];
    for (const payload of bad) {
      const r = parseCallResult('exportReport', await t.call('exportReport', payload));
      assert.equal(!r.ok && r.error.code, 'bad-request', `accepted ${JSON.stringify(payload).slice(0, 80)}`);
    }

    await runCapture(t, [await demoCapturePath()]);
    const snap = await ok(t, 'getSnapshot', {});
    const chosen = [NET.plc1.mac, NET.hmi.mac].map((mac) => {
      const d = snap.devices.find((x) => x.mac === mac);
      assert.ok(d, `${mac} missing`);
      return d.id;
    });
    const decode = (content: string) => Buffer.from(content, 'base64');

    const csv = await ok(t, 'exportReport', {
      format: 'csv',
      deviceIds: [...chosen, 'mac:02:99:99:99:99:99'],
    });
    assert.equal(csv.supported, true, csv.message ?? '');
    assert.equal(csv.devices, 2);
    assert.match(csv.mime, /^text\/csv/);
    const rows = parseCsv(decode(csv.content).toString('utf8')) as string[][];
    const idCol = rows[0]!.indexOf('id');
    assert.deepEqual(
      rows
        .slice(1)
        .map((r) => r[idCol])
        .sort(),
      [...chosen].sort(),
    );

    const json = await ok(t, 'exportReport', { format: 'json', deviceIds: chosen });
    const inv = JSON.parse(decode(json.content).toString('utf8')) as InventoryJson;
    assert.deepEqual(inv.devices.map((d) => d.id).sort(), [...chosen].sort());
    assert.ok(inv.edges.every((e) => chosen.includes(e.a) && chosen.includes(e.b)));

    const html = await ok(t, 'exportReport', { format: 'html', title: 'All of it' });
    assert.equal(html.devices, snap.devices.length);
    assert.match(
      decode(html.content).toString('utf8'),
      new RegExp(`<title>All of it \\(${snap.devices.length} devices\\)`),
    );

    const pdf = await ok(t, 'exportReport', { format: 'pdf', deviceIds: chosen });
    assert.equal(pdf.devices, 2);
    if (opts.pdf) {
      assert.equal(pdf.supported, true, pdf.message ?? '');
      assert.equal(pdf.mime, 'application/pdf');
      assert.equal(decode(pdf.content).subarray(0, 5).toString('latin1'), '%PDF-');
    } else {
      assert.equal(pdf.supported, false);
      assert.equal(pdf.content, '');
      assert.match(pdf.message ?? '', /chromium/i);
    }
  });
}
