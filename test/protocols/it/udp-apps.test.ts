import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, ethernet, ip6, ipv6, u16, u32, udp, udpFrame } from '../../helpers/packets';
import { ubiquitiReply, tplinkXor } from '../../helpers/iot-payloads';
import { decodeFrames, decodeOne, hostileVariants, ofKind } from './run';

const MGR = { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 40000 };
const AGENT = { mac: '02:00:00:00:00:40', ip: '10.0.0.40', port: 161 };

function tlv(tag: number, body: number[] | Uint8Array): number[] {
  const b = [...body];
  const len =
    b.length < 128 ? [b.length] : b.length < 256 ? [0x81, b.length] : [0x82, b.length >> 8, b.length & 0xff];
  return [tag, ...len, ...b];
}
function oid(s: string): number[] {
  const a = s.split('.').map(Number);
  const out = [40 * a[0]! + a[1]!];
  for (const x of a.slice(2)) {
    const enc = [x & 0x7f];
    for (let v = x >>> 7; v > 0; v >>>= 7) enc.unshift(0x80 | (v & 0x7f));
    out.push(...enc);
  }
  return tlv(0x06, out);
}
function snmpMsg(pduTag: number, community: string, varbinds: number[][]): Uint8Array {
  const vbl = tlv(0x30, varbinds.flat());
  const pdu = tlv(pduTag, [...tlv(2, [1]), ...tlv(2, [0]), ...tlv(2, [0]), ...vbl]);
  return Uint8Array.from(tlv(0x30, [...tlv(2, [1]), ...tlv(4, ascii(community)), ...pdu]));
}

test('SNMP: GetResponse system group; community reported as a finding without its value', () => {
  const resp = snmpMsg(0xa2, 'private', [
    tlv(0x30, [
      ...oid('1.3.6.1.2.1.1.1.0'),
      ...tlv(4, ascii('RICOH MP C3003 1.02 / RICOH Network Printer C model')),
    ]),
    tlv(0x30, [...oid('1.3.6.1.2.1.1.2.0'), ...oid('1.3.6.1.4.1.367.1.1')]),
    tlv(0x30, [...oid('1.3.6.1.2.1.1.5.0'), ...tlv(4, ascii('prn-3f-east'))]),
    tlv(0x30, [...oid('1.3.6.1.2.1.1.6.0'), ...tlv(4, ascii('3rd floor east'))]),
  ]);
  const obs = decodeOne(udpFrame(AGENT, MGR, resp));
  const ids = new Map(ofKind(obs, 'identity').map((o) => [o.attr, o.value]));
  assert.equal(ids.get('description'), 'RICOH MP C3003 1.02 / RICOH Network Printer C model');
  assert.equal(ids.get('location'), '3rd floor east');
  assert.deepEqual(
    ofKind(obs, 'hostname').map((o) => o.name),
    ['prn-3f-east'],
  );
  assert.equal(ofKind(obs, 'attribute').find((o) => o.key === 'sysObjectID')?.value, '1.3.6.1.4.1.367.1.1');
  const f = ofKind(obs, 'finding');
  assert.equal(f.length, 1);
  assert.match(f[0]!.detail, /7 chars, starts 'p'/);
  assert.ok(!JSON.stringify(obs).includes('private'), 'the community itself is never stored');
  for (const o of obs) assert.equal(o.device.ip, '10.0.0.40');
});

test('SNMP v1 trap: enterprise and agent address; garbage on 161 is not SNMP', () => {
  const trap = Uint8Array.from(
    tlv(0x30, [
      ...tlv(2, [0]),
      ...tlv(4, ascii('public')),
      ...tlv(0xa4, [
        ...oid('1.3.6.1.4.1.9.1.1'),
        ...tlv(0x40, [10, 0, 0, 41]),
        ...tlv(2, [6]),
        ...tlv(2, [1]),
        ...tlv(0x43, [0, 1]),
        ...tlv(0x30, []),
      ]),
    ]),
  );
  const obs = decodeOne(udpFrame({ ...AGENT, port: 5000 }, { ...MGR, port: 162 }, trap));
  const ent = ofKind(obs, 'attribute').find((o) => o.key === 'snmp-enterprise');
  assert.deepEqual([ent?.device.ip, ent?.value], ['10.0.0.41', '1.3.6.1.4.1.9.1.1']);
  const r = decodeFrames([
    udpFrame(MGR, AGENT, Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 2, 1, 0])),
  ]);
  assert.equal(r.obs.length, 0);
});

test('DHCPv6 Solicit: DUID with link-layer address, FQDN, vendor class, ORO fingerprint', () => {
  const duid = [...u16(1), ...u16(1), ...u32(0x2a2a2a2a), 0x00, 0x1c, 0x42, 0x01, 0x02, 0x03];
  const opt = (c: number, d: number[]) => [...u16(c), ...u16(d.length), ...d];
  const fqdn = [0x01, 4, ...ascii('desk'), 4, ...ascii('corp'), 0];
  const vc = [...u32(311), ...u16(8), ...ascii('MSFT 5.0')];
  const msg = Uint8Array.from([
    1,
    0x12,
    0x34,
    0x56,
    ...opt(1, duid),
    ...opt(39, fqdn),
    ...opt(16, vc),
    ...opt(6, [...u16(17), ...u16(23), ...u16(24), ...u16(39)]),
  ]);
  const frame = ethernet(
    '33:33:00:01:00:02',
    '00:1c:42:01:02:03',
    0x86dd,
    ipv6('fe80::21c:42ff:fe01:203', 'ff02::1:2', 17, udp(546, 547, msg), 1),
  );
  const obs = decodeOne(frame);
  const attrs = new Map(ofKind(obs, 'attribute').map((o) => [o.key, o.value]));
  assert.equal(attrs.get('duid-lladdr'), '00:1c:42:01:02:03');
  assert.equal(attrs.get('vendor-class'), '311:MSFT 5.0');
  assert.deepEqual(
    ofKind(obs, 'hostname').map((o) => o.name),
    ['desk.corp'],
  );
  assert.deepEqual(
    ofKind(obs, 'fingerprint').map((o) => [o.scheme, o.value]),
    [['dhcpv6', '17,23,24,39']],
  );
  for (const o of obs) assert.equal(o.device.ip, 'fe80::21c:42ff:fe01:203');
  assert.deepEqual(ip6('::1').length, 16);
});

test('SIP, NTP, Ubiquiti, TP-Link smart home', () => {
  const phone = { mac: '00:04:f2:01:02:03', ip: '10.0.0.50', port: 5060 };
  const pbx = { mac: '02:00:00:00:00:60', ip: '10.0.0.60', port: 5060 };
  const sip = ascii(
    'REGISTER sip:10.0.0.60 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.50\r\nUser-Agent: Polycom/5.9.5.0614 PolycomVVX-VVX_411-UA/5.9.5.0614\r\n\r\n',
  );
  const ntpResp = concat([0x24, 1, 6, 0xe9], new Array(8).fill(0), ascii('GPS\0'), new Array(32).fill(0));
  const ubnt = concat([1, 0, 0, 0]);
  const ubntResp = ubiquitiReply([
    [0x02, [0x24, 0xa4, 0x3c, 1, 2, 3, 10, 0, 0, 70]],
    [0x03, ascii('XM.v6.1.7')],
    [0x0b, ascii('ap-lab')],
    [0x0c, ascii('LM5N')],
  ]);
  const json =
    '{"system":{"get_sysinfo":{"sw_ver":"1.2.5 Build 171213 Rel.101523","hw_ver":"1.0","model":"HS100(EU)","deviceId":"8006A1B2","alias":"Kitchen lamp","mac":"50:C7:BF:01:02:03","err_code":0}}}';
  const enc = tplinkXor(json);
  const plug = { mac: '50:c7:bf:01:02:03', ip: '10.0.0.80', port: 9999 };
  const r = decodeFrames([
    udpFrame(phone, pbx, sip),
    udpFrame({ ...pbx, port: 123 }, { ...phone, port: 123 }, ntpResp),
    udpFrame(
      { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 40000 },
      { mac: 'ff:ff:ff:ff:ff:ff', ip: '255.255.255.255', port: 10001 },
      ubnt,
    ),
    udpFrame(
      { mac: '24:a4:3c:01:02:03', ip: '10.0.0.70', port: 10001 },
      { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 40000 },
      ubntResp,
    ),
    udpFrame(plug, { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 50000 }, enc),
  ]);
  const at = (frame: number) => r.obs.filter((o) => o.frame === frame);
  assert.deepEqual(
    ofKind(at(1), 'software').map((o) => [o.product, o.version]),
    [['Polycom', '5.9.5.0614']],
  );
  const ntp = new Map(ofKind(at(2), 'attribute').map((o) => [o.key, o.value]));
  assert.deepEqual(
    [ntp.get('ntp-mode'), ntp.get('ntp-stratum'), ntp.get('ntp-refid')],
    ['server', '1', 'GPS'],
  );
  assert.equal(ofKind(at(2), 'role')[0]?.role, 'ntp-server');
  assert.equal(ofKind(at(3), 'role')[0]?.role, 'ubiquiti-discovery-client');
  const u = new Map(ofKind(at(4), 'identity').map((o) => [o.attr, o.value]));
  assert.deepEqual([u.get('firmware'), u.get('model')], ['XM.v6.1.7', 'LM5N']);
  assert.deepEqual(
    ofKind(at(4), 'hostname').map((o) => o.name),
    ['ap-lab'],
  );
  const t = new Map(ofKind(at(5), 'identity').map((o) => [o.attr, o.value]));
  assert.deepEqual(
    [t.get('model'), t.get('firmware'), t.get('hardware'), t.get('serial')],
    ['HS100(EU)', '1.2.5 Build 171213 Rel.101523', '1.0', '8006A1B2'],
  );
  assert.deepEqual(
    ofKind(at(5), 'hostname').map((o) => o.name),
    ['Kitchen lamp'],
  );
  // Cut short: the fallback scan still finds the complete fields.
  const cut = decodeOne(
    udpFrame(plug, { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 50000 }, enc.slice(0, 80)),
  );
  assert.ok(ofKind(cut, 'identity').some((o) => o.attr === 'firmware'));
});

test('UDP dissectors: truncation and corruption never throw', () => {
  const resp = snmpMsg(0xa2, 'public', [tlv(0x30, [...oid('1.3.6.1.2.1.1.5.0'), ...tlv(4, ascii('x'))])]);
  const frames = hostileVariants(udpFrame(AGENT, MGR, resp), 42);
  const nested: number[] = [];
  for (let i = 0; i < 200; i++) nested.push(0x30, 0x82, 0x10, 0x00);
  frames.push(udpFrame(AGENT, MGR, Uint8Array.from(nested)));
  const dhcp6 = Uint8Array.from([1, 0, 0, 1, 0, 39, 0, 9, 0, 0xc0, 0x05, 3, 0x61, 0x61, 0x61, 0xc0, 0x02]);
  frames.push(
    ...hostileVariants(
      ethernet(
        '33:33:00:01:00:02',
        '00:1c:42:01:02:03',
        0x86dd,
        ipv6('fe80::1', 'ff02::1:2', 17, udp(546, 547, dhcp6)),
      ),
      62,
    ),
  );
  frames.push(
    ...hostileVariants(
      udpFrame({ ...AGENT, port: 10001 }, MGR, Uint8Array.from([1, 0, 0, 20, 0x0b, 0xff, 0xff, 0x41])),
      42,
    ),
  );
  frames.push(
    ...hostileVariants(
      udpFrame({ ...AGENT, port: 9999 }, MGR, Uint8Array.from([0xd0, 0xf2, 0x81, 0xf8])),
      42,
    ),
  );
  const r = decodeFrames(frames);
  assert.equal(r.errors, 0);
});

test('DHCPv6 through a relay: the inner message is about the client at the peer address (and MAC from option 79)', () => {
  const opt = (c: number, d: number[] | Uint8Array) => [...u16(c), ...u16(d.length), ...d];
  const clientMac = [0x00, 0x1c, 0x42, 0x0a, 0x0b, 0x0c];
  const duid = [...u16(3), ...u16(1), ...clientMac];
  const solicit = [
    1,
    0,
    0,
    7,
    ...opt(1, duid),
    ...opt(39, [0x01, 3, ...ascii('cam'), 0]),
    ...opt(6, [...u16(23)]),
  ];
  const relayFwd = (peer: string, inner: number[], withMac: boolean) => [
    12,
    0,
    ...ip6('2001:db8:10::1'),
    ...ip6(peer),
    ...opt(18, ascii('ge-0/0/1')),
    ...(withMac ? opt(79, [...u16(1), ...clientMac]) : []),
    ...opt(9, inner),
  ];
  const RELAY6 = 'fe80::1';
  const SERVER6 = '2001:db8::547';
  const frame = (src: string, dst: string, sport: number, dport: number, payload: number[], smac: string) =>
    ethernet(
      '02:00:00:00:05:47',
      smac,
      0x86dd,
      ipv6(src, dst, 17, udp(sport, dport, Uint8Array.from(payload))),
    );
  const fwd = frame(
    RELAY6,
    SERVER6,
    547,
    547,
    relayFwd('fe80::21c:42ff:fe0a:b0c', solicit, true),
    '02:00:00:00:00:01',
  );
  const obs = decodeOne(fwd);
  const about = (kind: string) => obs.filter((o) => o.kind === kind).map((o) => o.device);
  // The relay is the sender, and says so; everything else is about the client, by its MAC.
  assert.deepEqual(
    ofKind(obs, 'role').map((o) => [o.device.ip, o.role]),
    [[RELAY6, 'dhcpv6-relay']],
  );
  assert.deepEqual(about('hostname'), [{ mac: '00:1c:42:0a:0b:0c', ip: 'fe80::21c:42ff:fe0a:b0c' }]);
  assert.deepEqual(
    ofKind(obs, 'hostname').map((o) => o.name),
    ['cam'],
  );
  assert.deepEqual(
    ofKind(obs, 'fingerprint').map((o) => o.value),
    ['23'],
  );
  // Two relays in a row, no option 79: the client is known by its address only.
  const twice = decodeOne(
    frame(
      RELAY6,
      SERVER6,
      547,
      547,
      relayFwd('2001:db8:10::1', relayFwd('fe80::aaaa', solicit, false), false),
      '02:00:00:00:00:01',
    ),
  );
  assert.deepEqual(
    ofKind(twice, 'hostname').map((o) => o.device),
    [{ mac: null, ip: 'fe80::aaaa' }],
  );
  // The server's REPLY comes back wrapped in RELAY-REPL: the sender is the server, the address is the client's.
  const iaaddr = opt(5, [...ip6('2001:db8:10::77'), ...u32(3600), ...u32(7200)]);
  const reply = [7, 0, 0, 7, ...opt(1, duid), ...opt(3, [...u32(1), ...u32(0), ...u32(0), ...iaaddr])];
  const repl = [13, 0, ...ip6('2001:db8:10::1'), ...ip6('fe80::21c:42ff:fe0a:b0c'), ...opt(9, reply)];
  const back = decodeOne(frame(SERVER6, RELAY6, 547, 547, repl, '02:00:00:00:05:47'));
  assert.deepEqual(
    ofKind(back, 'role').map((o) => [o.device.ip, o.role]),
    [[SERVER6, 'dhcpv6-server']],
  );
  assert.deepEqual(
    ofKind(back, 'address').map((o) => [o.device.ip, o.ip]),
    [['2001:db8:10::77', '2001:db8:10::77']],
  );
  // Hostile: cut anywhere, lengths that lie, relays nested past the bound: no exception.
  for (const v of hostileVariants(fwd, 62)) decodeOne(v);
  let deep = solicit;
  for (let i = 0; i < 12; i++) deep = relayFwd('fe80::1', deep, false);
  assert.deepEqual(
    ofKind(decodeOne(frame(RELAY6, SERVER6, 547, 547, deep, '02:00:00:00:00:01')), 'hostname'),
    [],
  );
});

test('NTP: a stratum-1 reference id in lower case ("DCFa", Meinberg DCF77) is kept; binary ids are not', () => {
  const server = { mac: '02:00:00:00:00:61', ip: '10.0.0.61', port: 123 };
  const client = { mac: '02:00:00:00:00:62', ip: '10.0.0.62', port: 123 };
  const resp = (ref: number[]) =>
    concat([0x24, 1, 6, 0xe9], new Array(8).fill(0), ref, new Array(32).fill(0));
  const r = decodeFrames([
    udpFrame(server, client, resp([0x44, 0x43, 0x46, 0x61])),
    udpFrame(server, client, resp([0x7f, 0x00, 0x01, 0x02])),
  ]);
  const refid = (frame: number) =>
    ofKind(
      r.obs.filter((o) => o.frame === frame),
      'attribute',
    ).find((o) => o.key === 'ntp-refid')?.value;
  assert.equal(refid(1), 'DCFa');
  assert.equal(refid(2), undefined);
});

test('DHCPv6 client FQDN (39): partial names, flags only, and hostile label lengths', () => {
  const opt = (c: number, d: number[]) => [...u16(c), ...u16(d.length), ...d];
  const solicit = (fqdn: number[]) =>
    ethernet(
      '33:33:00:01:00:02',
      '00:1c:42:01:02:04',
      0x86dd,
      ipv6(
        'fe80::21c:42ff:fe01:204',
        'ff02::1:2',
        17,
        udp(546, 547, Uint8Array.from([1, 0, 0, 1, ...opt(39, fqdn)])),
        1,
      ),
    );
  const names = (fqdn: number[]) => {
    const r = decodeFrames([solicit(fqdn)]);
    assert.equal(r.errors, 0);
    return ofKind(r.obs, 'hostname').map((o) => [o.field, o.name]);
  };
  // RFC 4704 4.2: a partial name (no root label) asks the server to complete it.
  assert.deepEqual(names([0x00, 7, ...ascii('kitchen')]), [['option39', 'kitchen']]);
  assert.deepEqual(names([0x01, 3, ...ascii('pc1'), 3, ...ascii('lab'), 0]), [['option39', 'pc1.lab']]);
  assert.deepEqual(names([0x04]), []);
  assert.deepEqual(names([0x01, 0]), []);
  // A label longer than the option: what fits is not guessed at.
  assert.deepEqual(names([0x01, 60, ...ascii('short')]), []);
  // A compression pointer to itself (names here are never compressed): bounded, nothing read.
  assert.deepEqual(names([0x01, 0xc0, 0x00]), []);
  const good = solicit([0x01, 3, ...ascii('pc1'), 3, ...ascii('lab'), 0]);
  for (const v of hostileVariants(good, 62)) assert.equal(decodeFrames([v]).errors, 0);
});
