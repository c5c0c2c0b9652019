/**
 * The renderer's store logic for alerts, interface-counter sparklines and the dashboard, without a
 * browser: the alerts slice (newest first, bounded, deduplicated, unseen count) fed through the link
 * by listAlerts and `alert` events; packet rates from OS counter samples across resets and 32-bit
 * wraps; the dashboard's top-10-and-other counts and time buckets; the alerts view's filter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventName } from '../../shared/ipc/channels';
import { parseCallResult, parseEvent, type Alert, type CallResponse } from '../../shared/ipc/contract';
import { filterAlerts } from '../../src-renderer/alerts/filter';
import { newDevicesOverTime, topCounts } from '../../src-renderer/dashboard/counts';
import { MAX_ALERTS } from '../../src-renderer/store/alerts-slice';
import {
  addCounterSample,
  MAX_COUNTER_SAMPLES,
  packetDelta,
  packetRates,
} from '../../src-renderer/store/iface-rates-slice';
import { createLink } from '../../src-renderer/store/link';
import { createGlasspaneStore } from '../../src-renderer/store/store';
import type { Transport } from '../../src-renderer/transport/transport';
import { syntheticDevice } from './helpers/synthetic';

const T0 = Date.parse('2026-11-28T10:00:00.000Z');

function alert(n: number, over: Partial<Alert> = {}): Alert {
  return {
    id: `a${n}`,
    at: new Date(T0 + n * 1000).toISOString(),
    severity: (['info', 'low', 'medium', 'high', 'critical'] as const)[n % 5]!,
    kind: n % 2 ? 'new-device' : 'new-protocol',
    deviceId: `mac:02:00:00:00:00:${String(n % 100).padStart(2, '0')}`,
    message: `alert number ${n}`,
    detail: {},
    ...over,
  };
}

const ids = (as: readonly Alert[]) => as.map((a) => a.id);

test('alerts slice: newest first whatever the input order, no id twice, bounded at the oldest end', () => {
  const store = createGlasspaneStore();
  store.getState().setAlerts([alert(2), alert(7), alert(1), alert(7)], 3);
  assert.deepEqual(ids(store.getState().alerts), ['a7', 'a2', 'a1']);
  assert.equal(store.getState().alertsState.kind, 'loaded');
  assert.equal(store.getState().alertsTotal, 3);

  // Events: newer ones go first, an older one lands in its place, a repeat is ignored.
  store.getState().addAlerts([alert(9), alert(8)]);
  store.getState().addAlerts([alert(5), alert(9)]);
  assert.deepEqual(ids(store.getState().alerts), ['a9', 'a8', 'a7', 'a5', 'a2', 'a1']);
  assert.equal(store.getState().alertsTotal, 6);

  // More than the bound: the oldest fall off, the newest stay.
  const many = Array.from({ length: MAX_ALERTS + 50 }, (_, i) => alert(100 + i));
  store.getState().addAlerts(many);
  const held = store.getState().alerts;
  assert.equal(held.length, MAX_ALERTS);
  assert.equal(held[0]!.id, `a${100 + MAX_ALERTS + 49}`);
  assert.equal(held[held.length - 1]!.id, `a${150}`);
  for (let i = 1; i < held.length; i++) assert.ok(Date.parse(held[i - 1]!.at) >= Date.parse(held[i]!.at));
  assert.ok(store.getState().alertsTotal >= MAX_ALERTS + 50, 'the total counts what fell off');
});

test('alerts slice: unseen count rises while the alerts view is hidden, clears when it is shown', () => {
  const store = createGlasspaneStore();
  store.getState().setAlerts([alert(1), alert(2)], 2);
  assert.equal(store.getState().unseenAlerts, 2);
  store.getState().addAlerts([alert(3)]);
  assert.equal(store.getState().unseenAlerts, 3);
  store.getState().setView('alerts');
  assert.equal(store.getState().unseenAlerts, 0);
  store.getState().addAlerts([alert(4)]);
  assert.equal(store.getState().unseenAlerts, 0, 'seen as they arrive');
  store.getState().setView('inventory');
  store.getState().addAlerts([alert(5), alert(4)]);
  assert.equal(store.getState().unseenAlerts, 1, 'a repeat is not a new alert');
  // A refetch of what is already held adds nothing unseen.
  store.getState().setAlerts([alert(1), alert(2), alert(3), alert(4), alert(5)], 5);
  assert.equal(store.getState().unseenAlerts, 1);
});

/** A transport whose calls answer from a table and whose events the test emits. */
function fakeTransport(answer: (name: string, req: unknown) => unknown | Promise<unknown>) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: { name: string; req: unknown }[] = [];
  const transport: Transport = {
    kind: 'websocket',
    call: (async (name: string, req: unknown) => {
      calls.push({ name, req });
      return parseCallResult(name as never, await answer(name, req));
    }) as Transport['call'],
    // Events are checked against the contract, as both real transports do.
    on: ((name: EventName, l: (p: unknown) => void) => {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      const checked = (raw: unknown) => {
        const p = parseEvent(name, raw);
        if (p.ok) l(p.value);
      };
      set.add(checked);
      return () => set.delete(checked);
    }) as Transport['on'],
    state: () => ({ kind: 'connected' }),
    onState: () => () => {},
    close: () => {},
  };
  const emit = (name: EventName, payload: unknown) => {
    for (const l of listeners.get(name) ?? []) l(payload);
  };
  return { transport, calls, emit };
}

const EMPTY_SNAPSHOT = {
  sequence: 0,
  devices: [],
  edges: [],
  status: {
    state: 'idle',
    source: null,
    counters: { packets: 0, bytes: 0, drops: 0, malformed: 0 },
    message: null,
  },
};
const SOURCES = { interfaces: [], live: { available: true }, listedBy: 'os' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('link: listAlerts at connect, alert events appended newest first, refetched on a new run', async () => {
  let listed: Alert[] = [alert(1), alert(3), alert(2)];
  let release: (() => void) | null = null;
  const { transport, calls, emit } = fakeTransport(async (name) => {
    if (name === 'listAlerts') {
      // The second fetch waits, so that an event can arrive while it is in flight.
      if (release === null && calls.filter((c) => c.name === 'listAlerts').length > 1) {
        await new Promise<void>((r) => (release = r));
      }
      return { ok: true, value: { alerts: listed, total: listed.length } };
    }
    if (name === 'getSnapshot') return { ok: true, value: EMPTY_SNAPSHOT };
    if (name === 'listSources') return { ok: true, value: SOURCES };
    return { ok: false, error: { code: 'unknown-call', message: name } };
  });
  const store = createGlasspaneStore();
  const link = createLink(transport, store);
  await sleep(10);
  assert.deepEqual(ids(store.getState().alerts), ['a3', 'a2', 'a1']);

  emit('alert', alert(10));
  emit('alert', { ...alert(11), severity: 'apocalyptic' }); // fails the contract: never reaches the store
  emit('alert', alert(12));
  await sleep(150);
  assert.deepEqual(ids(store.getState().alerts), ['a12', 'a10', 'a3', 'a2', 'a1']);

  // A new run: the alerts are fetched again; the engine's list replaces ours, and an alert raised
  // while that call was in flight is kept.
  listed = [alert(20)];
  emit('deviceDelta', {
    sequence: 1,
    reset: true,
    upserts: [],
    removals: [],
    edgeUpserts: [],
    edgeRemovals: [],
  });
  await sleep(10);
  emit('alert', alert(21));
  await sleep(150);
  (release as (() => void) | null)?.();
  await sleep(10);
  assert.deepEqual(ids(store.getState().alerts), ['a21', 'a20']);
  link.dispose();
});

test('link: an engine without listAlerts or interfaceCounters marks them unavailable and is not asked again', async () => {
  const { transport, calls } = fakeTransport((name) => {
    if (name === 'getSnapshot') return { ok: true, value: EMPTY_SNAPSHOT };
    if (name === 'listSources') return { ok: true, value: SOURCES };
    return { ok: false, error: { code: 'unknown-call', message: `unknown call: ${name}` } };
  });
  const store = createGlasspaneStore();
  const link = createLink(transport, store);
  await sleep(10);
  assert.equal(store.getState().alertsState.kind, 'unsupported');
  assert.equal(store.getState().features.listAlerts, false);
  assert.equal(await link.sampleInterfaceCounters(), false);
  assert.equal(store.getState().ifaceCounters.kind, 'unsupported');
  assert.equal(await link.sampleInterfaceCounters(), false);
  assert.equal(calls.filter((c) => c.name === 'interfaceCounters').length, 1);
  link.dispose();
});

test('link: interfaceCounters samples become per-interface packet rates; supported: false falls back', async () => {
  let n = 0;
  let supported = true;
  const { transport } = fakeTransport((name) => {
    if (name !== 'interfaceCounters') return { ok: false, error: { code: 'unavailable', message: 'n/a' } };
    n++;
    return {
      ok: true,
      value: {
        supported,
        at: 1_000_000 + n * 1000,
        interfaces: [
          { name: 'eth0', packets: n * n * 10, bytes: n * 1000 },
          { name: 'lo', packets: null, bytes: null },
        ],
      },
    };
  });
  const store = createGlasspaneStore();
  const link = createLink(transport, store);
  for (let i = 0; i < 4; i++) assert.equal(await link.sampleInterfaceCounters(), true);
  assert.equal(store.getState().ifaceCounters.kind, 'sampling');
  const eth0 = store.getState().ifaceSamples.get('eth0')!;
  // n*n*10 packets at n seconds: 30, 50, 70 packets per second between readings.
  assert.deepEqual(packetRates(eth0), [30, 50, 70]);
  assert.equal(store.getState().ifaceSamples.has('lo'), false, 'no packet count, no sparkline');
  supported = false;
  assert.equal(await link.sampleInterfaceCounters(), false);
  assert.equal(store.getState().ifaceCounters.kind, 'unsupported');
  assert.equal(store.getState().ifaceSamples.size, 0);
  link.dispose();
});

test('packet rates: counters that wrap at 32 bits or reset to zero never give negative or huge rates', () => {
  const W = 2 ** 32;
  assert.equal(packetDelta(100, 250), 150);
  assert.equal(packetDelta(W - 10, 5), 15, 'a 32-bit counter that wrapped');
  assert.equal(packetDelta(5000, 40), 40, 'a reset: counting from zero again');
  assert.equal(packetDelta(2 ** 40, 7), 7, 'a 64-bit counter going down is a reset, not a wrap');
  assert.equal(packetDelta(W - 10, W - 20), W - 20, 'high to high is a reset, not a wrap');

  const rates = packetRates([
    { t: 0, packets: W - 1000 },
    { t: 1000, packets: W - 500 }, // 500/s
    { t: 2000, packets: 500 }, // wrapped: 1000/s
    { t: 2000, packets: 600 }, // the clock did not move: skipped
    { t: 4000, packets: 200 }, // reset: 200 in 2 s
  ]);
  assert.deepEqual(rates, [500, 1000, 100]);
  for (const r of rates) assert.ok(r >= 0 && Number.isFinite(r));
});

test('counter samples: bounded per interface, restarted when the host clock goes back, gone when the interface goes', () => {
  type Answer = CallResponse<'interfaceCounters'>;
  const answer = (at: number, ifaces: Record<string, number | null>): Answer => ({
    supported: true,
    at,
    interfaces: Object.entries(ifaces).map(([name, packets]) => ({ name, packets, bytes: null })),
  });
  let h = new Map<string, readonly { t: number; packets: number }[]>();
  for (let i = 0; i < MAX_COUNTER_SAMPLES + 25; i++)
    h = addCounterSample(h, answer(i * 1000, { eth0: i * 7 }));
  const eth0 = h.get('eth0')!;
  assert.equal(eth0.length, MAX_COUNTER_SAMPLES);
  assert.equal(eth0[eth0.length - 1]!.packets, (MAX_COUNTER_SAMPLES + 24) * 7);
  assert.ok(packetRates(eth0).every((r) => r === 7));

  h = addCounterSample(h, answer(500, { eth0: 3, wlan0: 1 }));
  assert.deepEqual(h.get('eth0'), [{ t: 500, packets: 3 }], 'an older clock starts over');
  assert.equal(h.get('wlan0')!.length, 1);
  h = addCounterSample(h, answer(1500, { wlan0: 11 }));
  assert.equal(h.has('eth0'), false);
  assert.deepEqual(packetRates(h.get('wlan0')!), [10]);
});

test('dashboard counts: the ten most common values and "other", unknown as its own bar', () => {
  const devices = Array.from({ length: 60 }, (_, i) => ({
    ...syntheticDevice(i),
    // 14 vendors, about four devices each; five devices with none.
    vendor: i < 5 ? null : `Vendor ${String(i % 14).padStart(2, '0')}`,
  }));
  const bars = topCounts(devices, (d) => d.vendor);
  assert.equal(bars.length, 11);
  assert.equal(bars[10]!.label, 'other');
  assert.equal(bars[10]!.filter, null);
  assert.equal(
    bars.reduce((s, b) => s + b.count, 0),
    60,
    'every device counted once',
  );
  for (let i = 1; i < 10; i++) assert.ok(bars[i - 1]!.count >= bars[i]!.count);
  const unknown = bars.find((b) => b.label === '(unknown)');
  assert.equal(unknown?.count, 5);
  assert.equal(unknown?.filter, '=');
  const top = bars.find((b) => b.label !== '(unknown)')!;
  assert.equal(top.filter, `=${top.label}`);
  assert.equal(top.count, devices.filter((d) => d.vendor === top.label).length);
  assert.deepEqual(
    topCounts([], (d) => d.os),
    [],
  );
});

test('dashboard: new devices bucketed by first sighting, in round buckets that hold every device', () => {
  const at = (ms: number) => new Date(T0 + ms).toISOString();
  const devices = [0, 1_000, 61_000, 62_000, 63_000, 3_599_000].map((ms, i) => ({
    ...syntheticDevice(i),
    firstSeen: at(ms),
  }));
  devices.push({ ...syntheticDevice(99), firstSeen: 'not a time' });
  const b = newDevicesOverTime(devices, 40);
  // An hour of span in at most 40 buckets: 5-minute buckets.
  assert.equal(b.bucketMs, 5 * 60_000);
  assert.equal(
    b.counts.reduce((s, c) => s + c, 0),
    6,
  );
  assert.equal(b.counts[0], 5);
  assert.equal(b.counts[b.counts.length - 1], 1);
  assert.ok(b.counts.length <= 41);
  for (let i = 1; i < b.starts.length; i++) assert.equal(b.starts[i]! - b.starts[i - 1]!, b.bucketMs);
  assert.deepEqual(newDevicesOverTime([]).counts, []);
});

test('alerts filter: by severity and by text in kind, message, device id or device name', () => {
  const dev = { ...syntheticDevice(3), hostname: 'boiler-plc' };
  const devices = new Map([[dev.id, dev]]);
  const list = [
    alert(1, {
      severity: 'critical',
      kind: 'ot-write',
      message: 'Modbus write from a new peer',
      deviceId: dev.id,
    }),
    alert(2, { severity: 'info', kind: 'new-device' }),
    alert(3, { severity: 'high', kind: 'new-service', deviceId: null, message: 'DHCP server appeared' }),
  ];
  assert.deepEqual(ids(filterAlerts(list, { hidden: [], text: '' }, devices)), ['a1', 'a2', 'a3']);
  assert.deepEqual(ids(filterAlerts(list, { hidden: ['info'], text: '' }, devices)), ['a1', 'a3']);
  assert.deepEqual(ids(filterAlerts(list, { hidden: [], text: 'boiler' }, devices)), ['a1']);
  assert.deepEqual(ids(filterAlerts(list, { hidden: [], text: 'NEW-DEVICE' }, devices)), ['a2']);
  assert.deepEqual(ids(filterAlerts(list, { hidden: ['high'], text: 'dhcp' }, devices)), []);
});
