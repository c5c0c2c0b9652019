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
  type CaptureStatus,
  type DeviceDelta,
  type Snapshot,
} from '../../../shared/ipc/contract';
import type { CallName } from '../../../shared/ipc/channels';
import { demoCapturePath } from '../../../src-main/demo/demo-path';
import { generateDemoFrames } from '../../../src-main/demo/generate';
import { INTERNET, NET } from '../../../src-main/demo/network';
import { corpusAvailable, groundTruth, PCAPS } from '../../helpers/corpus';

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

export function contractSuite(label: string, open: () => Promise<ContractTransport>): void {
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
    if (!corpusAvailable()) return ctx.skip(`${PCAPS} is absent`);
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
}
