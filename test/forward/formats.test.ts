/* eslint-disable no-control-regex -- the tests name the control characters a hostile network sends */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertJson } from '../../shared/model/alert';
import type { DeviceJson, InventoryJson } from '../../shared/model/inventory';
import {
  analysisEvents,
  deviceChanged,
  deviceDiscovered,
  alertEvent,
  inventorySnapshot,
  type ForwardEvent,
  type Origin,
} from '../../shared/forward/events';
import { toCef } from '../../shared/forward/cef';
import { toLeef, LEEF_DELIMITER, LEEF_TIME_FORMAT } from '../../shared/forward/leef';
import { toSyslog, toJsonBody, octetCounted } from '../../shared/forward/syslog5424';
import { toOcsf, toOcsfFinding, OCSF_VERSION } from '../../shared/forward/ocsf';
import { toEcs } from '../../shared/forward/ecs';
import { ALERT_SIGNATURES, DEVICE_SIGNATURES } from '../../shared/forward/signatures';
import { CORPUS_SKIP } from '../helpers/corpus';
import {
  ACTIVITIES,
  CATEGORY,
  DEVICE_TYPE_IDS,
  OCSF_VERSION_TESTED,
  SEVERITY_IDS,
  missingRequired,
} from './ocsf-required';
import { analyzeCorpus } from './corpus-run';
import { parseCef } from './cef-reader';

const skip = CORPUS_SKIP;
const FILES = ['bench-mixed__ndpi__1kxun.pcap', 'enip-listidentity__icsnpp-enip__enip_cip_example.pcap'];
const origin: Origin = { host: 'sensor-host', site: 'plant 1', version: '0.1.0' };

let inv: InventoryJson;
let alerts: AlertJson[];
let events: ForwardEvent[];

before(async () => {
  if (skip !== false) return;
  ({ inv, alerts } = await analyzeCorpus(FILES));
  events = analysisEvents(inv, alerts, origin);
});

/** Host names a hostile network can announce (DHCP option 12, mDNS, NetBIOS...). */
const HOSTILE = [
  'printer|CEF:0|Evil|x|1|y|10|src=6.6.6.6',
  'a=b c=d \\ back\\slash',
  'line1\nline2\r\nCEF:0|forged|line',
  "=cmd|'/c calc'!A1",
  'leef^delim^sev=10^src=6.6.6.6',
  'x'.repeat(5000),
  '\ud800lone surrogate \u00c3\u00a9 mojibake \ufffd \u0000nul \u0085nel \u2028ls \u001bESC',
  'trailing backslash\\',
];

function hostile(base: DeviceJson, hostname: string): DeviceJson {
  return { ...base, hostname, vendor: hostname, model: hostname, os: hostname, firmware: hostname };
}

function parseLeef(line: string): { header: string[]; attrs: Map<string, string> } {
  const parts = line.split('|');
  assert.equal(parts[0], 'LEEF:2.0');
  const header = parts.slice(0, 6);
  const delim = header[5]!;
  assert.equal(delim, LEEF_DELIMITER);
  const body = parts.slice(6).join('|');
  const attrs = new Map<string, string>();
  for (const pair of body.split(delim)) {
    const eq = pair.indexOf('=');
    assert.ok(eq > 0, `no key in '${pair}'`);
    const k = pair.slice(0, eq);
    assert.ok(/^[A-Za-z0-9]+$/.test(k), `bad key '${k}'`);
    assert.ok(!attrs.has(k), `duplicate key ${k}`);
    attrs.set(k, pair.slice(eq + 1));
  }
  return { header, attrs };
}

test(
  'events from real captures: one discovered per device, one per alert, identity and stable ids',
  { skip },
  async () => {
    assert.ok(inv.devices.length > 50, `only ${inv.devices.length} devices`);
    assert.ok(alerts.length > 0, 'no alerts with a zero learning period');
    assert.equal(events.filter((e) => e.kind === 'discovered').length, inv.devices.length);
    assert.equal(events.filter((e) => e.kind === 'alert').length, alerts.length);
    const named = events.find((e) => e.device?.hostname !== undefined && e.device.mac !== undefined)!;
    const d = inv.devices.find((x) => x.id === named.device!.id)!;
    assert.equal(named.device!.hostname, d.hostname);
    assert.deepEqual(named.device!.ips, d.ips);
    assert.equal(named.device!.site, 'plant 1');
    // Unknown values are absent, not null.
    for (const e of events) for (const v of Object.values(e.device ?? {})) assert.notEqual(v, null);
    const unknownOs = events.find(
      (e) => e.device !== null && e.kind === 'discovered' && !('os' in e.device),
    )!;
    assert.ok(unknownOs !== undefined);
    // Ids: unique, and the same on a second analysis of the same captures (a replay de-duplicates).
    assert.equal(new Set(events.map((e) => e.id)).size, events.length);
    const again = await analyzeCorpus(FILES);
    assert.deepEqual(
      analysisEvents(again.inv, again.alerts, origin).map((e) => e.id),
      events.map((e) => e.id),
    );
    // Alerts carry the alert and its device.
    const al = events.find((e) => e.kind === 'alert' && e.device !== null)!;
    assert.equal(al.device!.id, al.alert!.deviceId);
    assert.equal(al.signature, ALERT_SIGNATURES[al.alert!.kind]);
  },
);

test('device changed lists old -> new per attribute, and nothing when nothing changed', { skip }, () => {
  const d = inv.devices.find((x) => x.firmware === null && x.hostname !== null)!;
  assert.equal(deviceChanged(d, { ...d, packets: d.packets + 10 }, origin), null);
  const later = { ...d, firmware: '2.1.0', hostname: 'renamed', lastSeen: '2030-01-01T00:00:00.000Z' };
  const e = deviceChanged(d, later, origin)!;
  assert.equal(e.kind, 'changed');
  assert.deepEqual(e.changes, [
    { attribute: 'hostname', old: d.hostname, new: 'renamed' },
    { attribute: 'firmware', old: null, new: '2.1.0' },
  ]);
  assert.equal(e.time, '2030-01-01T00:00:00.000Z');
  assert.equal(e.id, deviceChanged(d, later, origin)!.id);
  assert.notEqual(e.id, deviceChanged(d, { ...later, firmware: '2.1.1' }, origin)!.id);
  const cef = parseCef(toCef(e, origin));
  assert.equal(cef.ext.get('reason'), 'hostname firmware');
  assert.equal(cef.header[4], DEVICE_SIGNATURES.changed.id);
});

test('inventory snapshot: one event per device, one snapshot id', { skip }, () => {
  const snap = inventorySnapshot(inv, origin);
  assert.equal(snap.length, inv.devices.length);
  assert.equal(new Set(snap.map((e) => e.snapshot!.id)).size, 1);
  assert.deepEqual(
    snap.map((e) => e.snapshot!.index),
    inv.devices.map((_, i) => i),
  );
  assert.equal(new Set(snap.map((e) => e.id)).size, snap.length);
});

test('CEF on real devices and alerts: header, dictionary keys, labels, severities', { skip }, () => {
  for (const e of events) {
    const line = toCef(e, origin);
    assert.ok(!/[\r\n]/.test(line));
    const { header, ext } = parseCef(line);
    assert.deepEqual(header.slice(0, 4), ['CEF:0', 'Glasspane', 'Glasspane', '0.1.0']);
    assert.equal(header[4], e.signature.id);
    assert.equal(header[5], e.signature.name);
    const sev = Number(header[6]);
    assert.ok(Number.isInteger(sev) && sev >= 0 && sev <= 10);
    assert.equal(ext.get('externalId'), e.id);
    assert.equal(Number(ext.get('rt')), Date.parse(e.time));
    assert.equal(ext.get('cat'), e.signature.cat);
    assert.equal(ext.get('act'), e.kind);
    assert.equal(ext.get('dvchost'), 'sensor-host');
    assert.equal(ext.get('msg'), e.message);
    const d = e.device;
    if (d === null) continue;
    assert.equal(ext.get('smac'), d.mac);
    assert.equal(ext.get('shost'), d.hostname);
    assert.equal(ext.get('cs6'), d.id);
    for (const k of ext.keys())
      if (/^(cs|cn|c6a)\d$/.test(k)) assert.ok(ext.has(k + 'Label'), `${k} without ${k}Label`);
    const v4 = d.ips.find((ip) => ip.includes('.'));
    assert.equal(ext.get('src'), v4);
    if (e.kind === 'alert') assert.equal(ext.get('flexString1'), e.alert!.id);
  }
  const sev = (s: AlertJson['severity']) =>
    Number(parseCef(toCef({ ...events[0]!, severity: s }, origin)).header[6]);
  assert.deepEqual(
    ['info', 'low', 'medium', 'high', 'critical'].map((s) => sev(s as AlertJson['severity'])),
    [1, 3, 5, 8, 10],
  );
});

test('CEF escaping round-trips hostile host names and never splits a line or forges a key', { skip }, () => {
  const base = inv.devices.find((d) => d.mac !== null)!;
  for (const h of HOSTILE) {
    const e = deviceDiscovered(hostile(base, h), { ...origin, sensor: h });
    const line = toCef(e, { ...origin, sensor: h });
    assert.ok(!/[\r\n\u2028\u2029\u0085]/.test(line), JSON.stringify(h));
    assert.ok(line.length < 20000);
    const { header, ext } = parseCef(line);
    assert.equal(header.length, 7);
    assert.equal(
      ext.get('src'),
      base.ips.find((ip) => ip.includes('.')),
    );
    assert.equal(ext.get('smac'), base.mac);
    assert.ok(!ext.has('CEF') && [...ext.keys()].every((k) => !['sev', 'forged'].includes(k)));
    const got = ext.get('shost')!;
    const expect = h.slice(0, 1023);
    // Line breaks travel escaped and come back; other control characters become spaces.
    assert.equal(
      got,
      expect.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g, ' '),
    );
    assert.equal(ext.get('dvchost'), got);
  }
  // A header field with pipes and backslashes comes back whole.
  const withPipe = toCef(deviceDiscovered(base), { version: '1.0|x\\y' });
  assert.equal(parseCef(withPipe).header[3], '1.0|x\\y');
});

test(
  'LEEF 2.0: declared delimiter, unique keys, devTime with its format, hostile values sanitised',
  { skip },
  () => {
    for (const e of events) {
      const { header, attrs } = parseLeef(toLeef(e, origin));
      assert.deepEqual(header.slice(0, 5), ['LEEF:2.0', 'Glasspane', 'Glasspane', '0.1.0', e.signature.id]);
      assert.equal(attrs.get('cat'), e.signature.cat);
      assert.equal(attrs.get('devTimeFormat'), LEEF_TIME_FORMAT);
      assert.equal(Date.parse(attrs.get('devTime')!.replace('+0000', 'Z')), Date.parse(e.time));
      assert.equal(attrs.get('externalId'), e.id);
      if (e.device?.mac !== undefined) assert.equal(attrs.get('srcMAC'), e.device.mac);
    }
    const base = inv.devices.find((d) => d.mac !== null)!;
    for (const h of HOSTILE) {
      const line = toLeef(deviceDiscovered(hostile(base, h)), { ...origin, sensor: h });
      assert.ok(!/[\r\n\u2028\u2029\u0085]/.test(line));
      const { attrs } = parseLeef(line);
      const got = attrs.get('identHostName')!;
      assert.ok(!got.includes(LEEF_DELIMITER));
      assert.ok(got.length <= 1023);
      assert.equal(
        got,
        h
          .slice(0, 1023)
          .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
          .split('^')
          .join('_'),
      );
      assert.equal(attrs.get('srcMAC'), base.mac);
      assert.ok(!attrs.has('sev') || attrs.get('sev') === '1');
    }
    // UTF-8: a non-ASCII name goes through as itself.
    const { attrs } = parseLeef(toLeef(deviceDiscovered(hostile(base, 'Küche-Drucker 東京')), origin));
    assert.equal(attrs.get('identHostName'), 'Küche-Drucker 東京');
  },
);

const RFC5424 =
  /^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z) ([\x21-\x7e]{1,255}) glasspane ([\x21-\x7e]{1,128}) ([\x21-\x7e]{1,32}) (-|\[[^\]]*\]) (.*)$/s;

test(
  'RFC 5424 with a JSON body: header fields, one SD element, the event back from the body',
  { skip },
  () => {
    const base = inv.devices.find((d) => d.mac !== null)!;
    const all = [...events, ...HOSTILE.map((h) => deviceDiscovered(hostile(base, h), origin))];
    for (const e of all) {
      const msg = toSyslog(e, { ...origin, host: 'my host|x' }, toJsonBody(e), { procId: 4242 });
      const m = RFC5424.exec(msg);
      assert.ok(m !== null, msg.slice(0, 200));
      const pri = Number(m[1]);
      assert.equal(pri >> 3, 16);
      assert.equal(m[2], e.time);
      assert.equal(m[3], 'my_host|x');
      assert.equal(m[4], '4242');
      assert.equal(m[6], '[origin software="Glasspane" swVersion="0.1.0"]');
      assert.ok(/^[\x20-\x7e]*$/.test(m[7]!), 'JSON body is not printable ASCII');
      assert.deepEqual(JSON.parse(m[7]!), JSON.parse(JSON.stringify(e)));
    }
    const kinds = new Set(events.map((e) => RFC5424.exec(toSyslog(e, origin, '{}'))![5]));
    assert.deepEqual([...kinds].sort(), ['alert', 'device-discovered']);
    const framed = new TextDecoder().decode(octetCounted(new TextEncoder().encode('<14>1 é')));
    assert.equal(framed, '8 <14>1 é'); // 6 ASCII bytes and a 2-byte é
  },
);

test(
  `OCSF ${OCSF_VERSION}: every record carries the required attributes of class 5001 or 2004`,
  { skip },
  () => {
    assert.equal(OCSF_VERSION, OCSF_VERSION_TESTED);
    const recs = events.map((e) => toOcsf(e, origin)!);
    assert.equal(recs.filter((r) => r.class_uid === 5001).length, inv.devices.length);
    assert.equal(recs.filter((r) => r.class_uid === 2004).length, alerts.length);
    const typeIds = new Set<number>();
    for (const r of recs) {
      assert.deepEqual(missingRequired(r), []);
      const cls = r.class_uid as number;
      assert.equal(r.category_uid, CATEGORY[cls]);
      assert.ok(ACTIVITIES[cls]!.includes(r.activity_id as number));
      assert.equal(r.type_uid, cls * 100 + (r.activity_id as number));
      assert.ok(SEVERITY_IDS.includes(r.severity_id as number));
      assert.equal((r.metadata as { version: string }).version, OCSF_VERSION_TESTED);
      assert.equal(typeof r.time, 'number');
      const dev = r.device as { type_id: number; type: string } | undefined;
      if (dev !== undefined) {
        assert.ok(DEVICE_TYPE_IDS.includes(dev.type_id), String(dev.type_id));
        typeIds.add(dev.type_id);
      }
    }
    // 500102 for inventory; the taxonomy reaches OCSF types: network gear, IT, and OT as Other.
    assert.ok(recs.some((r) => r.type_uid === 500102));
    for (const t of [12, 2, 99]) assert.ok(typeIds.has(t), `no device with type_id ${t}`);
    const plc = recs.find((r) => (r.device as { type?: string })?.type === 'io-module')!;
    assert.equal((plc.device as { type_id: number }).type_id, 99);
    // A finding's uid is the alert's own stable id; update and close keep it.
    const al = events.find((e) => e.kind === 'alert')!;
    for (const act of [1, 2, 3] as const) {
      const f = toOcsfFinding(al, origin, act)!;
      assert.deepEqual(missingRequired(f), []);
      assert.equal((f.finding_info as { uid: string }).uid, al.alert!.id);
      assert.equal(f.type_uid, 200400 + act);
    }
  },
);

test('ECS: assets for devices, host.mac as uppercase hyphen pairs, observer.type sensor', { skip }, () => {
  for (const e of events) {
    const doc = toEcs(e, origin) as {
      event: { kind: string; id: string };
      host?: { mac?: string[]; ip: string[] };
      observer: { type: string };
    };
    assert.equal(doc.event.kind, e.kind === 'alert' ? 'alert' : 'asset');
    assert.equal(doc.event.id, e.id);
    assert.equal(doc.observer.type, 'sensor');
    if (e.device?.mac !== undefined) {
      assert.equal(doc.host!.mac!.length, 1);
      assert.match(doc.host!.mac![0]!, /^[0-9A-F]{2}(-[0-9A-F]{2}){5}$/);
      assert.equal(doc.host!.mac![0]!.replace(/-/g, ':').toLowerCase(), e.device.mac);
    }
  }
});

test('an alert about a device the inventory does not hold has no device, and still formats', () => {
  const a: AlertJson = {
    id: 'dhcp-server|-|2020-01-01T00:00:00.000Z|',
    at: '2020-01-01T00:00:00.000Z',
    severity: 'high',
    kind: 'no-such-kind',
    deviceId: null,
    message: 'x',
    detail: {},
  };
  const e = alertEvent(a, null, origin);
  assert.equal(e.device, null);
  assert.equal(e.signature.id, '299');
  const { header, ext } = parseCef(toCef(e, origin));
  assert.equal(header[6], '8');
  assert.equal(ext.get('flexString1'), a.id);
  assert.equal(ext.has('smac'), false);
  assert.deepEqual(missingRequired(toOcsf(e, origin)!), []);
});

test('CEF and LEEF survive 3000 random names built from the characters that break them', { skip }, () => {
  const base = inv.devices.find((d) => d.mac !== null)!;
  const alphabet = ['\\', '=', '|', '^', '\n', '\r', ' ', 'a', 'Z', '0', 'é', '\u0000', '\\n', '\\=', 'k='];
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 3000; i++) {
    let h = '';
    const n = 1 + Math.floor(rnd() * 12);
    for (let j = 0; j < n; j++) h += alphabet[Math.floor(rnd() * alphabet.length)];
    const e = deviceDiscovered(hostile(base, h));
    const cef = parseCef(toCef(e, origin));
    assert.equal(cef.ext.get('shost'), h.replace(/\u0000/g, ' '), JSON.stringify(h));
    assert.equal(cef.ext.get('smac'), base.mac);
    const leef = parseLeef(toLeef(e, origin));
    assert.equal(
      leef.attrs.get('identHostName'),
      h
        .replace(/[\u0000\n\r]/g, ' ')
        .split('^')
        .join('_'),
    );
    assert.equal(leef.attrs.get('srcMAC'), base.mac);
  }
});
