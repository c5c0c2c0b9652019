import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src-main/engine/engine';
import { Store } from '../../src-main/store/store';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { findNativeHelper } from '../../src-main/capture/live/helper-path';
import { events, type CaptureStatus, type DeviceDelta } from '../../shared/ipc/contract';
import { writePcap } from '../helpers/pcap-writer';
import { udpFrame } from '../helpers/packets';

const tmp = mkdtempSync(join(tmpdir(), 'gp-engine-'));

function capture(name: string, n: number, base = 1): string {
  const recs = [];
  for (let i = 0; i < n; i++) {
    const mac = `02:00:00:00:${((base + i) >> 8).toString(16).padStart(2, '0')}:${((base + i) & 0xff).toString(16).padStart(2, '0')}`;
    recs.push({
      data: udpFrame(
        { mac, ip: `10.1.${(base + i) >> 8}.${(base + i) & 0xff}`, port: 1000 },
        { mac: '00:0c:29:00:00:01', ip: '10.0.0.1', port: 53 },
        new Uint8Array(10),
      ),
    });
  }
  return writePcap(join(tmp, name), 1, recs);
}

function recorder() {
  const hub = createEventHub();
  const deltas: DeviceDelta[] = [];
  const statuses: CaptureStatus[] = [];
  hub.subscribe((name, payload) => {
    // Everything the engine sends must pass the contract's own schema, as the UI will check it.
    const parsed = events[name].safeParse(payload);
    assert.ok(parsed.success, `${name} fails its schema: ${parsed.success ? '' : parsed.error.message}`);
    if (name === 'deviceDelta') deltas.push(payload as DeviceDelta);
    else if (name === 'captureStatus') statuses.push(payload as CaptureStatus);
  });
  return { hub, deltas, statuses };
}

test('openCapture streams device deltas that add up to the snapshot, then reports finished', async () => {
  const r = recorder();
  const engine = createEngine({ hub: r.hub, collectMs: 20 });
  const st = await engine.openCapture({ paths: [capture('a.pcap', 50)] });
  assert.equal(st.state, 'running');
  await engine.idle;
  const snap = await engine.getSnapshot({});
  assert.equal(snap.status.state, 'finished');
  assert.equal(snap.devices.length, 51);
  assert.equal(snap.status.counters.packets, 50);
  const held = new Map<string, unknown>();
  let seq = 0;
  for (const d of r.deltas) {
    assert.equal(d.sequence, seq + 1, 'sequence rises by one per delta');
    seq = d.sequence;
    if (d.reset) held.clear();
    for (const u of d.upserts) held.set(u.id, u);
  }
  assert.equal(r.deltas[0]!.reset, true);
  assert.equal(held.size, 51);
  assert.equal(snap.sequence, seq);
  assert.ok(r.statuses.some((s) => s.state === 'finished' && s.counters.packets === 50));
  await engine.close();
});

test('a second run resets the UI: the first delta after it carries reset', async () => {
  const r = recorder();
  const engine = createEngine({ hub: r.hub, collectMs: 20 });
  await engine.openCapture({ paths: [capture('b.pcap', 3)] });
  await engine.idle;
  await engine.getSnapshot({});
  const before = r.deltas.length;
  await engine.openCapture({ paths: [capture('c.pcap', 2, 500)] });
  await engine.idle;
  const snap = await engine.getSnapshot({});
  assert.equal(snap.devices.length, 3);
  const after = r.deltas.slice(before);
  assert.equal(after[0]!.reset, true);
  assert.ok(after[0]!.upserts.some((d) => d.ips.includes('10.1.1.244')));
  await engine.close();
});

test('a capture that cannot be read fails with a message and keeps the engine usable', async () => {
  const r = recorder();
  const engine = createEngine({ hub: r.hub, collectMs: 20 });
  await engine.openCapture({ paths: [join(tmp, 'missing.pcap')] });
  await engine.idle;
  assert.equal(engine.status.state, 'failed');
  assert.match(engine.status.message ?? '', /no such file/);
  await engine.openCapture({ paths: [capture('d.pcap', 1)] });
  await engine.idle;
  assert.equal(engine.status.state, 'finished');
  await engine.close();
});

test('large runs are split into deltas within the contract batch limit', async () => {
  const r = recorder();
  const engine = createEngine({ hub: r.hub, collectMs: 60_000 });
  await engine.openCapture({ paths: [capture('e.pcap', 25_000)] });
  await engine.idle;
  const snap = await engine.getSnapshot({});
  assert.equal(snap.devices.length, 25_001);
  assert.ok(r.deltas.length >= 2, 'split in parts');
  assert.equal(
    r.deltas.reduce((n, d) => n + d.upserts.length, 0),
    25_001,
  );
  await engine.close();
});

test('getDevice returns one device with the evidence behind it; an unknown id is a clear error', async () => {
  const r = recorder();
  const engine = createEngine({ hub: r.hub, collectMs: 20 });
  await engine.openCapture({ paths: [capture('f.pcap', 2)] });
  await engine.idle;
  const snap = await engine.getSnapshot({});
  const id = snap.devices.find((d) => d.mac === '02:00:00:00:00:01')!.id;
  const d = await engine.getDevice({ id });
  assert.equal(d.id, id);
  assert.ok(Array.isArray(d.evidence));
  assert.deepEqual(d.ips, ['10.1.0.1']);
  await assert.rejects(async () => engine.getDevice({ id: 'mac:ff:ee:dd:cc:bb:aa' }), /no device/);
  const sources = await engine.listSources({});
  assert.ok(sources.demo?.path.endsWith('.pcap'), 'the demo capture is offered');
  await engine.close();
});

test('manual edits outrank the capture and the rules, reach the UI as deltas, and can be cleared', async () => {
  const r = recorder();
  const store = new Store(':memory:');
  const engine = createEngine({ hub: r.hub, collectMs: 20, store });
  await engine.openCapture({ paths: [capture('g.pcap', 2)] });
  await engine.idle;
  const id = 'mac:02:00:00:00:00:01';
  const before = r.deltas.length;
  const d = await engine.editDevice({ id, name: 'boiler-plc', type: 'plc', notes: 'hall 3' });
  assert.equal(d.hostname, 'boiler-plc');
  assert.equal(d.type, 'plc');
  assert.equal(d.category, 'OT', 'the category follows the edited type');
  assert.equal(d.notes, 'hall 3');
  assert.deepEqual(d.edited, ['name', 'type', 'notes']);
  await engine.getSnapshot({});
  const delta = r.deltas
    .slice(before)
    .flatMap((x) => x.upserts)
    .find((u) => u.id === id);
  assert.equal(delta?.hostname, 'boiler-plc', 'the edit reached the UI through the change stream');
  assert.deepEqual(
    store
      .timeline(id)
      .filter((t) => t.source === 'manual')
      .map((t) => [t.field, t.new]),
    [
      ['name', 'boiler-plc'],
      ['type', 'plc'],
      ['notes', 'hall 3'],
    ],
    'the store keeps each edit',
  );
  assert.equal(store.device(id)!.type, 'plc', 'the store shows the edit as the engine does');
  assert.equal(store.device(id)!.category, 'OT');
  const cleared = await engine.editDevice({ id, name: null, type: null, notes: null });
  assert.equal(cleared.hostname, null);
  assert.equal(cleared.edited, undefined);
  await assert.rejects(
    async () => engine.editDevice({ id: 'mac:aa:aa:aa:aa:aa:aa', name: 'x' }),
    /no device/,
  );
  await engine.close();
  store.close();
});

test('a file run reports how far it has read: bytes of the file and which file of how many', async () => {
  const r = recorder();
  const engine = createEngine({ hub: r.hub, collectMs: 20 });
  const a = capture('p1.pcap', 20);
  const b = capture('p2.pcap', 40, 300);
  await engine.openCapture({ paths: [a, b] });
  await engine.idle;
  const last = r.statuses.at(-1)!;
  assert.equal(last.state, 'finished');
  assert.deepEqual(last.progress, {
    bytesRead: statSync(b).size,
    bytesTotal: statSync(b).size,
    file: 2,
    files: 2,
  });
  // A new run starts without the old run's progress.
  await engine.openCapture({ paths: [a] });
  assert.equal(
    r.statuses.find((s, i) => i > r.statuses.indexOf(last) && s.state === 'running')?.progress,
    null,
  );
  await engine.idle;
  await engine.close();
});

test("checkFilter: libpcap's own verdict before a capture starts, through the native capture helper", async (t) => {
  if (findNativeHelper() === null)
    return t.skip('the native capture helper is not built (needs cc and libpcap-dev)');
  const engine = createEngine({ hub: recorder().hub });
  assert.deepEqual(await engine.checkFilter({ filter: 'tcp port 80 and not host 10.0.0.1' }), {
    ok: true,
    message: null,
  });
  const bad = await engine.checkFilter({ filter: 'tcp port eighty' });
  assert.equal(bad.ok, false);
  assert.match(bad.message ?? '', /eighty/, "libpcap's reason names the bad word");
  assert.equal((await engine.checkFilter({ filter: 'host' })).ok, false);
  // Shell syntax is just text to libpcap: nothing runs.
  assert.equal((await engine.checkFilter({ filter: '$(touch /tmp/glasspane-pwned)' })).ok, false);
  assert.equal(existsSync('/tmp/glasspane-pwned'), false);
  assert.deepEqual(await engine.checkFilter({ filter: '  ' }), { ok: true, message: null });
  await engine.close();
});
