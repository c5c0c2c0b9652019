import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, ip4, u16, u32, udpFrame, ethernet, ipv6, udp, ip6 } from '../../helpers/packets';
import { decodeFrames, decodeOne, hostileVariants, ofKind } from './run';
import { ByteWindow } from '../../../shared/decode/window';
import { nameEnd, readName } from '../../../shared/protocols/it/dns-name';
import { reverseToIp } from '../../../shared/protocols/it/dns';

function name(n: string): number[] {
  const out: number[] = [];
  for (const l of n.split('.').filter(Boolean)) out.push(l.length, ...ascii(l));
  out.push(0);
  return out;
}

function rr(owner: number[], type: number, rdata: number[], cls = 1): number[] {
  return [...owner, ...u16(type), ...u16(cls), ...u32(120), ...u16(rdata.length), ...rdata];
}

function header(id: number, flags: number, qd: number, an: number, ns: number, ar: number): number[] {
  return [...u16(id), ...u16(flags), ...u16(qd), ...u16(an), ...u16(ns), ...u16(ar)];
}

function txt(...s: string[]): number[] {
  return s.flatMap((x) => [x.length, ...ascii(x)]);
}

const PRINTER = { mac: 'a4:5d:36:01:02:03', ip: '192.168.1.50', port: 5353 };
const MCAST = { mac: '01:00:5e:00:00:fb', ip: '224.0.0.251', port: 5353 };

test('mDNS response: host name, addresses, service instance, SRV and TXT identity', () => {
  const inst = 'Office Printer._ipp._tcp.local';
  const msg = concat(
    header(0, 0x8400, 0, 4, 0, 1),
    rr(name('_ipp._tcp.local'), 12, name(inst)),
    rr(name(inst), 33, [...u16(0), ...u16(0), ...u16(631), ...name('NPI0102.local')], 0x8001),
    rr(
      name(inst),
      16,
      txt(
        'txtvers=1',
        'ty=HP LaserJet M404',
        'usb_MFG=HP',
        'usb_MDL=LaserJet M404',
        'note=2nd floor',
        'Color=T',
      ),
      0x8001,
    ),
    rr(name('NPI0102.local'), 1, ip4('192.168.1.50'), 0x8001),
    rr(name('NPI0102.local'), 28, ip6('fe80::a65d:36ff:fe01:203'), 0x8001),
  );
  const obs = decodeOne(udpFrame(PRINTER, MCAST, msg));
  for (const o of obs) assert.equal(o.device.mac, PRINTER.mac);
  const hostnames = new Set(ofKind(obs, 'hostname').map((o) => o.name));
  assert.deepEqual([...hostnames].sort(), ['NPI0102.local']);
  assert.deepEqual(
    ofKind(obs, 'address').map((o) => o.ip),
    ['192.168.1.50', 'fe80::a65d:36ff:fe01:203'],
  );
  const svc = ofKind(obs, 'service');
  assert.deepEqual(
    svc.map((o) => [o.transport, o.port, o.name]),
    [['tcp', 631, inst]],
  );
  const ids = ofKind(obs, 'identity').map((o) => o.attr + '=' + o.value);
  assert.deepEqual(ids.sort(), ['model=LaserJet M404', 'product=HP LaserJet M404', 'vendor=HP']);
  const attrs = new Map(ofKind(obs, 'attribute').map((o) => [o.key, o.value]));
  assert.equal(attrs.get('service-instance'), inst);
  assert.equal(attrs.get('txt.note'), '2nd floor');
  assert.equal(attrs.get('txt.color'), 'T');
  assert.equal(ofKind(obs, 'role')[0]?.role, 'mdns-responder');
});

test('mDNS query: asked names are name-queries, probes (authority) are own names', () => {
  const msg = concat(
    header(0, 0, 2, 0, 1, 0),
    name('_airplay._tcp.local'),
    u16(12),
    u16(1),
    name('MyMac.local'),
    u16(255),
    u16(1),
    rr(name('MyMac.local'), 1, ip4('192.168.1.51')),
  );
  const host = { mac: '3c:22:fb:00:00:01', ip: '192.168.1.51', port: 5353 };
  const obs = decodeOne(udpFrame(host, MCAST, msg));
  assert.deepEqual(
    ofKind(obs, 'name-query').map((o) => o.name),
    ['_airplay._tcp.local', 'MyMac.local'],
  );
  assert.deepEqual(
    ofKind(obs, 'hostname').map((o) => o.name),
    ['MyMac.local'],
  );
});

test('unicast DNS: answers bind names to the addresses owners, the responder is a DNS server', () => {
  const q = [...name('www.example.com'), ...u16(1), ...u16(1)];
  const msg = concat(
    header(7, 0x8180, 1, 2, 0, 0),
    q,
    rr([0xc0, 12], 5, name('web.example.net')),
    rr(name('web.example.net'), 1, ip4('93.184.216.34')),
  );
  const dnsSrv = { mac: '02:00:00:00:00:53', ip: '10.0.0.53', port: 53 };
  const client = { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 40000 };
  const obs = decodeOne(udpFrame(dnsSrv, client, msg));
  const a = ofKind(obs, 'address');
  assert.deepEqual(
    a.map((o) => [o.device.ip, o.device.mac, o.name]),
    [['93.184.216.34', null, 'web.example.net']],
  );
  assert.equal(ofKind(obs, 'hostname').length, 0);
  assert.deepEqual(
    ofKind(obs, 'role').map((o) => [o.role, o.device.ip]),
    [['dns-server', '10.0.0.53']],
  );
  // A query from the client: a name-query for the client.
  const qobs = decodeOne(udpFrame(client, dnsSrv, concat(header(7, 0x0100, 1, 0, 0, 0), q)));
  assert.deepEqual(
    ofKind(qobs, 'name-query').map((o) => [o.device.ip, o.name]),
    [['10.0.0.10', 'www.example.com']],
  );
});

test('LLMNR response over IPv6: the responder names itself', () => {
  const q = [...name('wpad'), ...u16(28), ...u16(1)];
  const msg = concat(header(9, 0x8000, 1, 1, 0, 0), q, rr([0xc0, 12], 28, ip6('fe80::1234')));
  const frame = ethernet(
    '33:33:00:01:00:03',
    '00:0c:29:aa:bb:cc',
    0x86dd,
    ipv6('fe80::1234', 'fe80::99', 17, udp(5355, 50000, msg)),
  );
  const obs = decodeOne(frame);
  assert.deepEqual(
    ofKind(obs, 'hostname').map((o) => [o.device.mac, o.device.ip, o.name]),
    [['00:0c:29:aa:bb:cc', 'fe80::1234', 'wpad']],
  );
});

test('DNS names: pointer loops, self-pointers, overlong names and bad label types are rejected', () => {
  const w = new ByteWindow();
  const loop = Uint8Array.from([...header(0, 0, 1, 0, 0, 0), 0xc0, 14, 0xc0, 12]);
  assert.equal(readName(w.reset(loop, 0, loop.length), 12), null);
  const self = Uint8Array.from([...header(0, 0, 1, 0, 0, 0), 0xc0, 12]);
  assert.equal(readName(w.reset(self, 0, self.length), 12), null);
  const long: number[] = [];
  for (let i = 0; i < 5; i++) long.push(63, ...new Array(63).fill(0x61));
  long.push(0);
  const lb = Uint8Array.from(long);
  assert.equal(readName(w.reset(lb, 0, lb.length), 0), null);
  const bad = Uint8Array.from([0x41, 0]);
  assert.equal(readName(w.reset(bad, 0, bad.length), 0), null);
  const ok = Uint8Array.from([...name('a.b'), 0xc0, 0]);
  assert.deepEqual(readName(w.reset(ok, 0, ok.length), 5), { name: 'a.b', next: 7 });
  // A chain of pointers longer than the jump budget ends too.
  const chain: number[] = [1, 0x61, 0];
  for (let i = 0; i < 40; i++) chain.push(0xc0, chain.length - 2 - (i === 0 ? 1 : 0));
  const cb = Uint8Array.from(chain);
  assert.equal(readName(w.reset(cb, 0, cb.length), cb.length - 2), null);
});

test('DNS names: nameEnd accepts and rejects what readName does, and ends where it ends', () => {
  const w = new ByteWindow();
  const cases: [number[], number][] = [
    [[...header(0, 0, 1, 0, 0, 0), 0xc0, 14, 0xc0, 12], 12], // pointer loop
    [[...header(0, 0, 1, 0, 0, 0), 0xc0, 12], 12], // self-pointer
    [[0x41, 0], 0], // obsolete label type
    [[...name('a.b'), 0xc0, 0], 5], // pointer back to a name
    [[...name('a.b'), 0xc0, 0], 0],
    [[3, 0x61, 0x62], 0], // label runs past the end
    [[0], 0], // the root
  ];
  const long: number[] = [];
  for (let i = 0; i < 5; i++) long.push(63, ...new Array(63).fill(0x61));
  cases.push([[...long, 0], 0]); // 320 octets: too long
  cases.push([[...long.slice(0, 3 * 64), 62, ...new Array(62).fill(0x62), 0], 0]); // 255 octets: the longest
  let accepted = 0;
  for (const [bytes, at] of cases) {
    const b = Uint8Array.from(bytes);
    const r = readName(w.reset(b, 0, b.length), at);
    assert.equal(nameEnd(w.reset(b, 0, b.length), at), r === null ? -1 : r.next, JSON.stringify(bytes));
    if (r !== null) accepted++;
  }
  assert.equal(accepted, 4);
  const max = Uint8Array.from([...long.slice(0, 3 * 64), 62, ...new Array(62).fill(0x62), 0]);
  assert.equal(
    readName(w.reset(max, 0, max.length), 0)?.name,
    [...'aaa'].map((c) => c.repeat(63)).join('.') + '.' + 'b'.repeat(62),
  );
});

test('DNS names: non-ASCII labels are decoded one by one (a BOM opening any label is dropped)', () => {
  const w = new ByteWindow();
  const bom = [0xef, 0xbb, 0xbf];
  // "ab", then a label that starts with a BOM, then "é" and a truncated two-byte sequence.
  const b = Uint8Array.from([2, 0x61, 0x62, 4, ...bom, 0x63, 3, 0xc3, 0xa9, 0xc3, 0]);
  assert.deepEqual(readName(w.reset(b, 0, b.length), 0), { name: 'ab.c.\u00e9\ufffd', next: b.length });
  const ascii0 = Uint8Array.from([1, 0x7f, 1, 0x00, 0]);
  assert.deepEqual(readName(w.reset(ascii0, 0, ascii0.length), 0), { name: '\u007f.\u0000', next: 5 });
});

test('DNS: a looping message, hostile variants and random payloads on 53/5353/5355 never throw', () => {
  const loopMsg = Uint8Array.from([
    ...header(1, 0x8400, 0, 1, 0, 0),
    0xc0,
    12,
    ...u16(1),
    ...u16(1),
    ...u32(1),
    ...u16(4),
    1,
    2,
    3,
    4,
  ]);
  const base = concat(header(0, 0x8400, 0, 1, 0, 0), rr(name('x.local'), 16, txt('model=abc', 'a=b')));
  const frames = [
    udpFrame(PRINTER, MCAST, loopMsg),
    ...hostileVariants(udpFrame(PRINTER, MCAST, base), 42, 3),
  ];
  let s = 7;
  for (let i = 0; i < 300; i++) {
    const len = 12 + (i % 80);
    const b = new Uint8Array(len);
    for (let k = 0; k < len; k++) b[k] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
    for (const port of [53, 5353, 5355]) frames.push(udpFrame({ ...PRINTER, port }, { ...MCAST, port }, b));
  }
  const r = decodeFrames(frames);
  assert.equal(r.errors, 0);
  assert.equal(r.obs.filter((o) => o.frame === 1 && o.kind === 'hostname').length, 0);
});

test('reverse-lookup names give the address they stand for (IPv4 and all 32 nibbles of IPv6)', () => {
  assert.equal(reverseToIp('5.2.0.192.in-addr.arpa'), '192.0.2.5');
  assert.equal(reverseToIp('5.2.0.192.in-addr.arpa.'), '192.0.2.5');
  // The link-local address of a host that answered its own reverse name over mDNS.
  const v6 = 'a.f.c.6.4.a.5.a.e.6.e.d.a.8.9.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa';
  assert.equal(reverseToIp(v6), 'fe80::98a:de6e:a5a4:6cfa');
  assert.equal(reverseToIp(v6 + '.'), 'fe80::98a:de6e:a5a4:6cfa');
  assert.equal(
    reverseToIp('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa'),
    '2001:db8::1',
  );
  assert.equal(reverseToIp('300.2.0.192.in-addr.arpa'), null);
  assert.equal(reverseToIp('f.e.ip6.arpa'), null);
});
