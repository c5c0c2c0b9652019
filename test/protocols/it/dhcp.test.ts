import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, ip4, mac, u16, u32, udpFrame } from '../../helpers/packets';
import { decodeFrames, decodeOne, hostileVariants, ofKind } from './run';

const CLIENT = '00:11:22:33:44:55';
const RELAY = { mac: '02:00:00:00:00:99', ip: '10.9.9.1', port: 67 };
const SERVER = { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 67 };

function opt(code: number, data: number[] | Uint8Array): Uint8Array {
  const d = data instanceof Uint8Array ? data : Uint8Array.from(data);
  return concat([code, d.length], d);
}

function bootp(
  op: number,
  chaddr: string,
  opts: Uint8Array[],
  yiaddr = '0.0.0.0',
  ciaddr = '0.0.0.0',
): Uint8Array {
  return concat(
    [op, 1, 6, 0],
    u32(0xdeadbeef),
    u16(0),
    u16(0x8000),
    ip4(ciaddr),
    ip4(yiaddr),
    ip4('0.0.0.0'),
    ip4('0.0.0.0'),
    mac(chaddr),
    new Array(10 + 64 + 128).fill(0),
    u32(0x63825363),
    ...opts,
    [255],
  );
}

const discover = bootp(1, CLIENT, [
  opt(53, [1]),
  opt(12, ascii('lab-printer')),
  opt(60, ascii('MSFT 5.0')),
  opt(61, [1, ...mac(CLIENT)]),
  opt(55, [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252]),
  opt(50, ip4('10.0.0.77')),
  opt(81, [0x04, 0, 0, 3, ...ascii('lab'), 7, ...ascii('example'), 0]),
  opt(77, ascii('office')),
  opt(161, ascii('https://mud.example.com/printer.json')),
]);

test('DHCP DISCOVER: client facts belong to chaddr, not the relay that forwarded the frame', () => {
  const frame = udpFrame(RELAY, { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 67 }, discover);
  const obs = decodeOne(frame);
  assert.ok(obs.length > 0);
  for (const o of obs) assert.equal(o.device.mac, CLIENT, `${o.kind}/${o.field} on ${o.device.mac}`);
  const names = ofKind(obs, 'hostname').map((o) => [o.field, o.name]);
  assert.deepEqual(names, [
    ['option12', 'lab-printer'],
    ['option81', 'lab.example'],
  ]);
  const fp = ofKind(obs, 'fingerprint');
  assert.deepEqual(
    fp.map((o) => [o.scheme, o.value]),
    [['dhcp', '1,3,6,15,31,33,43,44,46,47,119,121,249,252']],
  );
  const attrs = new Map(ofKind(obs, 'attribute').map((o) => [o.key, o.value]));
  assert.equal(attrs.get('vendor-class'), 'MSFT 5.0');
  assert.equal(attrs.get('client-id'), '01001122334455');
  assert.equal(attrs.get('requested-address'), '10.0.0.77');
  assert.equal(attrs.get('message-type'), 'DISCOVER');
  assert.equal(attrs.get('message-type-id'), '1', 'the raw code beside the name');
  assert.equal(attrs.get('user-class'), 'office');
  assert.deepEqual(
    ofKind(obs, 'identity').map((o) => [o.attr, o.value]),
    [['mud-url', 'https://mud.example.com/printer.json']],
  );
});

test('DHCP ACK: server role from option 54, assigned address, router and domain', () => {
  const ack = bootp(
    2,
    CLIENT,
    [
      opt(53, [5]),
      opt(54, ip4('10.0.0.1')),
      opt(3, ip4('10.0.0.254')),
      opt(15, ascii('corp.example')),
      opt(12, ascii('lab-printer')),
    ],
    '10.0.0.77',
  );
  const obs = decodeOne(udpFrame(SERVER, { mac: CLIENT, ip: '10.0.0.77', port: 68 }, ack));
  const roles = ofKind(obs, 'role').map((o) => [o.role, o.device.ip, o.device.mac]);
  assert.deepEqual(roles, [
    ['dhcp-server', '10.0.0.1', '02:00:00:00:00:01'],
    ['router', '10.0.0.254', null],
  ]);
  const addr = ofKind(obs, 'address');
  assert.equal(addr.length, 1);
  assert.deepEqual([addr[0]!.device.mac, addr[0]!.ip, addr[0]!.name], [CLIENT, '10.0.0.77', 'lab-printer']);
  const dom = ofKind(obs, 'attribute').find((o) => o.key === 'domain');
  assert.equal(dom?.value, 'corp.example');
  assert.equal(dom?.device.mac, CLIENT);
  // No DHCP fingerprint from a server's reply.
  assert.equal(ofKind(obs, 'fingerprint').length, 0);
});

test('DHCP: a relayed ACK names the server by option 54, not by the relay frame', () => {
  const ack = bootp(2, CLIENT, [opt(53, [5]), opt(54, ip4('10.0.0.1'))], '10.0.0.78');
  const obs = decodeOne(udpFrame(RELAY, { mac: CLIENT, ip: '10.0.0.78', port: 68 }, ack));
  const role = ofKind(obs, 'role')[0]!;
  assert.deepEqual(role.device, { mac: null, ip: '10.0.0.1' });
});

test('DHCP: non-DHCP payload on port 67 is rejected without observations', () => {
  const junk = concat([1, 1, 6, 0], new Array(300).fill(7));
  const r = decodeFrames([udpFrame(RELAY, SERVER, junk)]);
  assert.equal(r.obs.length, 0);
  assert.equal(r.decoder.packet.hasProto('dhcp'), false);
});

test('DHCP: lying option lengths, truncation at every offset and random corruption never throw', () => {
  const lying = bootp(1, CLIENT, [opt(53, [1]), Uint8Array.from([12, 200, 0x41, 0x42])]);
  const frames = [udpFrame(RELAY, SERVER, lying), ...hostileVariants(udpFrame(RELAY, SERVER, discover), 42)];
  const r = decodeFrames(frames);
  assert.equal(r.errors, 0);
  // The lying hostname (length 200, 2 bytes present) is not reported.
  assert.equal(
    ofKind(
      r.obs.filter((o) => o.frame === 1),
      'hostname',
    ).length,
    0,
  );
});

test('DHCP user class (77): RFC 3004 instances are read one by one; plain text stays one value', () => {
  const userClasses = (data: number[]) =>
    ofKind(
      decodeOne(
        udpFrame(
          { mac: CLIENT, ip: '0.0.0.0', port: 68 },
          { mac: 'ff:ff:ff:ff:ff:ff', ip: '255.255.255.255', port: 67 },
          bootp(1, CLIENT, [opt(53, [1]), opt(77, data)]),
        ),
      ),
      'attribute',
    )
      .filter((o) => o.key === 'user-class')
      .map((o) => o.value);
  assert.deepEqual(userClasses([4, ...ascii('iPXE'), 4, ...ascii('gpxe')]), ['iPXE', 'gpxe']);
  assert.deepEqual(userClasses([...ascii('RRAS.Microsoft')]), ['RRAS.Microsoft']);
  // A length that runs past the option: not RFC 3004, kept whole (the length byte is a control and goes).
  assert.deepEqual(userClasses([9, ...ascii('abc')]), ['abc']);
});
