import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CALL_NAMES, EVENT_NAMES, isCallName, isEventName } from '../../shared/ipc/channels';
import {
  calls,
  events,
  parseCallResult,
  parseEvent,
  parseRequest,
  parseResponse,
  type CaptureStatus,
  type DeviceDelta,
  type Sources,
} from '../../shared/ipc/contract';
import { IPC_LIMITS } from '../../shared/ipc/limits';
import { clientMessageSchema, hostMessageSchema } from '../../shared/ipc/wire';
import type { DeviceJson } from '../../shared/model/inventory';

const sources: Sources = {
  interfaces: [
    {
      name: 'eth0',
      description: null,
      mac: '02:fc:00:00:00:01',
      addresses: [{ family: 'ipv4', address: '192.0.2.2', netmask: '255.255.255.0' }],
      flags: { up: true, loopback: false, running: true },
    },
    {
      name: 'any',
      description: 'all',
      mac: null,
      addresses: [],
      flags: { up: null, loopback: false, running: null },
    },
  ],
  live: { available: false, reason: 'no CAP_NET_RAW', fix: 'sudo setcap cap_net_raw,cap_net_admin=eip /x' },
  listedBy: 'pcap',
};

const device: DeviceJson = {
  id: 'mac:00:1b:1b:01:02:03',
  mac: '00:1b:1b:01:02:03',
  ips: ['192.0.2.10'],
  hostname: 'plc-1',
  vendor: 'Siemens',
  ouiVendor: 'Siemens AG',
  category: 'ot',
  type: 'plc',
  model: null,
  os: null,
  firmware: 'V4.2',
  serial: null,
  hostnames: [{ name: 'plc-1', source: 'dhcp' }],
  roles: ['s7comm-server'],
  protocols: ['s7comm', 'arp'],
  services: [{ transport: 'tcp', port: 102 }],
  vlans: [10],
  localMac: false,
  router: false,
  routed: false,
  via: [],
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T00:01:00.000Z',
  packets: 12,
  bytes: 3456,
  packetsSent: 6,
  packetsReceived: 6,
  bytesSent: 1000,
  bytesReceived: 2456,
};

const status: CaptureStatus = {
  state: 'running',
  source: { kind: 'live', interfaces: ['eth0'], filter: null },
  counters: { packets: 10, bytes: 1500, drops: 0, malformed: 1 },
  message: null,
};

const delta: DeviceDelta = {
  sequence: 4,
  reset: false,
  upserts: [device],
  removals: ['ip:192.0.2.99'],
  edgeUpserts: [],
  edgeRemovals: [{ a: 'mac:00:1b:1b:01:02:03', b: 'ip:192.0.2.99' }],
};

test('channel name lists and the contract maps hold the same names', () => {
  assert.deepEqual([...CALL_NAMES].sort(), Object.keys(calls).sort());
  assert.deepEqual([...EVENT_NAMES].sort(), Object.keys(events).sort());
  assert.equal(isCallName('listSources'), true);
  assert.equal(isCallName('constructor'), false);
  assert.equal(isCallName('__proto__'), false);
  assert.equal(isEventName('deviceDelta'), true);
  assert.equal(isEventName(42), false);
});

test('good payloads pass and come back equal', () => {
  const r = parseResponse('listSources', sources);
  assert.ok(r.ok);
  assert.deepEqual(r.value, sources);
  const d = parseEvent('deviceDelta', delta);
  assert.ok(d.ok);
  assert.equal(d.value.upserts[0]!.hostname, 'plc-1');
  assert.ok(parseEvent('captureStatus', status).ok);
  assert.ok(parseRequest('openCapture', { paths: ['/tmp/a.pcapng'] }).ok);
  assert.ok(parseRequest('startCapture', { interfaces: ['eth0'], filter: 'arp or tcp port 502' }).ok);
  assert.ok(parseRequest('startCapture', { interfaces: ['eth0'] }).ok);
  assert.ok(parseRequest('stopCapture', {}).ok);
  assert.ok(parseResponse('getSnapshot', { sequence: 0, devices: [device], edges: [], status }).ok);
});

test('malformed requests are rejected with a bounded message', () => {
  const bad: [Parameters<typeof parseRequest>[0], unknown][] = [
    ['openCapture', { paths: [] }],
    ['openCapture', { paths: [''] }],
    ['openCapture', { paths: ['/a'], extra: true }],
    ['openCapture', { paths: 'a.pcap' }],
    ['openCapture', null],
    ['openCapture', { paths: Array.from({ length: IPC_LIMITS.files + 1 }, (_, i) => `/f${i}`) }],
    ['startCapture', { interfaces: [] }],
    ['startCapture', { interfaces: ['eth0'], filter: 'x'.repeat(IPC_LIMITS.filter + 1) }],
    ['startCapture', { interfaces: ['x'.repeat(IPC_LIMITS.id + 1)] }],
    ['startCapture', { interfaces: [7] }],
    ['listSources', { sneaky: 1 }],
    ['stopCapture', undefined],
    ['getSnapshot', []],
  ];
  for (const [name, payload] of bad) {
    const r = parseRequest(name, payload);
    assert.equal(r.ok, false, `${name} accepted ${JSON.stringify(payload)?.slice(0, 80)}`);
    if (!r.ok) assert.ok(r.message.length > 0 && r.message.length <= IPC_LIMITS.text);
  }
});

test('malformed responses and events are rejected', () => {
  const { live: _live, ...noLive } = sources;
  assert.equal(parseResponse('listSources', noLive).ok, false);
  assert.equal(
    parseResponse('listSources', { ...sources, live: { available: false, reason: 'x' } }).ok,
    false,
  );
  assert.equal(parseResponse('listSources', { ...sources, listedBy: 'magic' }).ok, false);
  const noName = { ...sources.interfaces[0], name: '' };
  assert.equal(parseResponse('listSources', { ...sources, interfaces: [noName] }).ok, false);
  const family = { ...sources.interfaces[0], addresses: [{ family: 'ipx', address: '1', netmask: null }] };
  assert.equal(parseResponse('listSources', { ...sources, interfaces: [family] }).ok, false);

  const counters = (c: Record<string, unknown>) => ({ ...status, counters: { ...status.counters, ...c } });
  assert.equal(parseEvent('captureStatus', counters({ packets: -1 })).ok, false);
  assert.equal(parseEvent('captureStatus', counters({ bytes: 1.5 })).ok, false);
  assert.equal(parseEvent('captureStatus', counters({ drops: '3' })).ok, false);
  assert.equal(parseEvent('captureStatus', { ...status, state: 'exploded' }).ok, false);

  const { mac: _mac, ...noMac } = device;
  assert.equal(parseEvent('deviceDelta', { ...delta, upserts: [noMac] }).ok, false);
  assert.equal(parseEvent('deviceDelta', { ...delta, upserts: [{ ...device, vlans: [5000] }] }).ok, false);
  const badPort = { ...device, services: [{ transport: 'tcp', port: 70000 }] };
  assert.equal(parseEvent('deviceDelta', { ...delta, upserts: [badPort] }).ok, false);
  const badTransport = { ...device, services: [{ transport: 'sctp', port: 80 }] };
  assert.equal(parseEvent('deviceDelta', { ...delta, upserts: [badTransport] }).ok, false);
  assert.equal(
    parseEvent('deviceDelta', { ...delta, upserts: [{ ...device, hostname: 'h'.repeat(5000) }] }).ok,
    false,
  );
  assert.equal(parseEvent('deviceDelta', { ...delta, sequence: -1 }).ok, false);
  assert.equal(parseEvent('deviceDelta', { ...delta, removals: [''] }).ok, false);
  const { reset: _reset, ...noReset } = delta;
  assert.equal(parseEvent('deviceDelta', noReset).ok, false);
  assert.equal(parseEvent('deviceDelta', 'delta').ok, false);
});

test('unknown keys are stripped from responses, so an older UI copes with a newer engine', () => {
  const r = parseEvent('captureStatus', { ...status, futureField: 1 });
  assert.ok(r.ok);
  assert.equal('futureField' in r.value, false);
});

test('call envelopes: values are validated, errors pass through, garbage becomes an error', () => {
  const good = parseCallResult('listSources', { ok: true, value: sources });
  assert.ok(good.ok);
  assert.equal(good.value.interfaces[0]!.name, 'eth0');

  const badValue = parseCallResult('listSources', { ok: true, value: { interfaces: 'eth0' } });
  assert.ok(!badValue.ok);
  assert.equal(badValue.error.code, 'failed');
  assert.match(badValue.error.message, /bad reply to listSources/);

  const err = parseCallResult('openCapture', { ok: false, error: { code: 'unavailable', message: 'later' } });
  assert.deepEqual(err, { ok: false, error: { code: 'unavailable', message: 'later' } });

  for (const junk of [null, 'x', 42, {}, { ok: false, error: { code: 'nope', message: 'x' } }]) {
    const r = parseCallResult('stopCapture', junk);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'failed');
  }
});

test('wire messages: both directions are validated', () => {
  assert.ok(clientMessageSchema.safeParse({ t: 'hello', protocol: 1, token: 'abc' }).success);
  assert.ok(clientMessageSchema.safeParse({ t: 'call', id: 1, name: 'listSources', payload: {} }).success);
  assert.equal(clientMessageSchema.safeParse({ t: 'hello', protocol: 1, token: '' }).success, false);
  assert.equal(clientMessageSchema.safeParse({ t: 'call', id: -1, name: 'x', payload: {} }).success, false);
  assert.equal(clientMessageSchema.safeParse({ t: 'shell', cmd: 'rm' }).success, false);
  assert.ok(hostMessageSchema.safeParse({ t: 'event', name: 'deviceDelta', payload: delta }).success);
  assert.equal(hostMessageSchema.safeParse({ t: 'result', id: 'one', result: {} }).success, false);
});

test('alerts, the timeline and interface counters: good payloads pass, bad ones are refused', () => {
  const alert = {
    id: 'new-device|mac:00:1b:1b:01:02:03|2026-01-01T00:00:00.000Z|',
    at: '2026-01-01T00:00:00.000Z',
    severity: 'medium',
    kind: 'new-device',
    deviceId: device.id,
    message: 'new device mac:00:1b:1b:01:02:03 (plc-1)',
    detail: { mac: device.mac, ips: '192.0.2.10', vendor: null, frame: 3, known: false },
  };
  const e = parseEvent('alert', alert);
  assert.ok(e.ok);
  assert.deepEqual(e.value, alert);
  assert.ok(parseResponse('listAlerts', { alerts: [alert], total: 7 }).ok);
  assert.ok(parseRequest('listAlerts', {}).ok);
  assert.ok(parseRequest('listAlerts', { deviceId: device.id, limit: IPC_LIMITS.alerts }).ok);
  for (const bad of [{ limit: 0 }, { limit: IPC_LIMITS.alerts + 1 }, { deviceId: '' }, { since: 'x' }])
    assert.equal(parseRequest('listAlerts', bad).ok, false, JSON.stringify(bad));
  assert.equal(parseEvent('alert', { ...alert, severity: 'urgent' }).ok, false);
  assert.equal(parseEvent('alert', { ...alert, id: 'x'.repeat(IPC_LIMITS.id + 1) }).ok, false);
  assert.equal(parseEvent('alert', { ...alert, message: 'm'.repeat(IPC_LIMITS.text + 1) }).ok, false);
  assert.equal(parseEvent('alert', { ...alert, detail: { nested: { no: 1 } } }).ok, false);
  const manyKeys = Object.fromEntries(Array.from({ length: IPC_LIMITS.detail + 1 }, (_, i) => [`k${i}`, i]));
  assert.equal(parseEvent('alert', { ...alert, detail: manyKeys }).ok, false);
  assert.equal(parseResponse('listAlerts', { alerts: [alert], total: -1 }).ok, false);

  const entry = {
    deviceId: device.id,
    at: '2026-01-01T00:00:00.000Z',
    field: 'firmware',
    old: 'V4.1',
    new: 'V4.2',
    source: 'rule',
  };
  assert.ok(parseResponse('getTimeline', { supported: true, entries: [entry] }).ok);
  assert.ok(parseResponse('getTimeline', { supported: false, entries: [] }).ok);
  assert.equal(
    parseResponse('getTimeline', { supported: true, entries: [{ ...entry, source: 'x' }] }).ok,
    false,
  );
  assert.equal(parseRequest('getTimeline', {}).ok, false);
  assert.equal(parseRequest('getTimeline', { id: device.id, limit: 3 }).ok, false);

  const counters = {
    supported: true,
    at: 1_700_000_000_000,
    interfaces: [{ name: 'lo', packets: 10, bytes: 840 }],
  };
  assert.ok(parseResponse('interfaceCounters', counters).ok);
  assert.ok(
    parseResponse('interfaceCounters', {
      ...counters,
      interfaces: [{ name: 'eth0', packets: null, bytes: null }],
    }).ok,
  );
  assert.equal(
    parseResponse('interfaceCounters', { ...counters, interfaces: [{ name: 'lo', packets: -1, bytes: 0 }] })
      .ok,
    false,
  );
  assert.equal(parseResponse('interfaceCounters', { ...counters, at: -5 }).ok, false);
  assert.equal(parseRequest('interfaceCounters', { name: 'lo' }).ok, false);
});
