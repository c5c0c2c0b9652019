import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, u16, u32, u32le, u16le, udpFrame } from '../../helpers/packets';
import { decodeFrames, decodeOne, hostileVariants, ofKind } from './run';

const TV = { mac: '78:bd:bc:01:02:03', ip: '192.168.1.60', port: 1900 };
const PC = { mac: '02:00:00:00:00:10', ip: '192.168.1.10', port: 51000 };
const SSDP_GROUP = { mac: '01:00:5e:7f:ff:fa', ip: '239.255.255.250', port: 1900 };

test('SSDP NOTIFY: SERVER, NT, USN uuid and LOCATION (not fetched)', () => {
  const msg = ascii(
    'NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n' +
      'LOCATION: http://192.168.1.60:7676/smp_2_\r\nNT: urn:schemas-upnp-org:device:MediaRenderer:1\r\n' +
      'NTS: ssdp:alive\r\nSERVER: SHP, UPnP/1.0, Samsung UPnP SDK/1.0\r\n' +
      'USN: uuid:0b1c2a00-00aa-1000-8000-78bdbc010203::urn:schemas-upnp-org:device:MediaRenderer:1\r\n\r\n',
  );
  const obs = decodeOne(udpFrame(TV, SSDP_GROUP, msg));
  const sw = ofKind(obs, 'software');
  assert.equal(sw.length, 1);
  assert.equal(sw[0]!.raw, 'SHP, UPnP/1.0, Samsung UPnP SDK/1.0');
  assert.deepEqual(
    ofKind(obs, 'identity').map((o) => [o.attr, o.value]),
    [['uuid', '0b1c2a00-00aa-1000-8000-78bdbc010203']],
  );
  const attrs = new Map(ofKind(obs, 'attribute').map((o) => [o.key, o.value]));
  assert.equal(attrs.get('location-url'), 'http://192.168.1.60:7676/smp_2_');
  assert.equal(attrs.get('upnp-type'), 'urn:schemas-upnp-org:device:MediaRenderer:1');
  for (const o of obs) assert.equal(o.device.mac, TV.mac);
});

test('SSDP M-SEARCH: the searcher User-Agent; response ST and SERVER', () => {
  const search = ascii(
    'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n' +
      'USER-AGENT: Google Chrome/120.0.6099.110 Windows\r\n\r\n',
  );
  const resp = ascii(
    'HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nSERVER: Linux/3.10 UPnP/1.0 IpBridge/1.16.0\r\nUSN: uuid:2f402f80-da50-11e1-9b23-001788255acc::upnp:rootdevice\r\n\r\n',
  );
  const r = decodeFrames([udpFrame(PC, SSDP_GROUP, search), udpFrame(TV, PC, resp)]);
  const ua = ofKind(r.obs, 'software').filter((o) => o.frame === 1);
  assert.deepEqual(
    ua.map((o) => [o.device.ip, o.field]),
    [['192.168.1.10', 'USER-AGENT']],
  );
  assert.equal(ua[0]!.raw, 'Google Chrome/120.0.6099.110 Windows');
  const srv = ofKind(r.obs, 'software').filter((o) => o.frame === 2);
  assert.deepEqual(
    srv.map((o) => [o.product, o.version]),
    [['Linux', '3.10']],
  );
  assert.equal(ofKind(r.obs, 'identity')[0]?.value, '2f402f80-da50-11e1-9b23-001788255acc');
});

test('WS-Discovery Hello: ONVIF types and scopes', () => {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><SOAP-ENV:Header><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</wsa:Action>' +
    '</SOAP-ENV:Header><SOAP-ENV:Body><d:Hello><wsa:EndpointReference><wsa:Address>urn:uuid:4a1b2c3d-1111-2222-3333-444455556666</wsa:Address>' +
    '</wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/type/video_encoder ' +
    'onvif://www.onvif.org/hardware/DS-2CD2043G0-I onvif://www.onvif.org/name/HIKVISION%20CAM onvif://www.onvif.org/location/city/hangzhou</d:Scopes>' +
    '<d:XAddrs>http://192.168.1.64/onvif/device_service</d:XAddrs></d:Hello></SOAP-ENV:Body></SOAP-ENV:Envelope>';
  const cam = { mac: 'c0:56:e3:01:02:03', ip: '192.168.1.64', port: 3702 };
  const obs = decodeOne(
    udpFrame(cam, { mac: '01:00:5e:7f:ff:fa', ip: '239.255.255.250', port: 3702 }, ascii(xml)),
  );
  const ids = new Map(ofKind(obs, 'identity').map((o) => [o.attr, o.value]));
  assert.equal(ids.get('model'), 'DS-2CD2043G0-I');
  assert.equal(ids.get('product'), 'HIKVISION CAM');
  assert.equal(ids.get('uuid'), '4a1b2c3d-1111-2222-3333-444455556666');
  const types = ofKind(obs, 'attribute')
    .filter((o) => o.key === 'wsd-type')
    .map((o) => o.value);
  assert.deepEqual(types, ['NetworkVideoTransmitter']);
});

function nbName(n: string, suffix: number): number[] {
  const padded = n.padEnd(15, ' ') + String.fromCharCode(suffix);
  const out = [32];
  for (const ch of padded) {
    const c = ch.charCodeAt(0);
    out.push(0x41 + (c >> 4), 0x41 + (c & 0xf));
  }
  out.push(0);
  return out;
}

test('NBNS: registration names the host, a query is kept apart', () => {
  const host = { mac: '00:50:56:01:02:03', ip: '192.168.1.20', port: 137 };
  const bcast = { mac: 'ff:ff:ff:ff:ff:ff', ip: '192.168.1.255', port: 137 };
  const reg = concat(
    u16(1),
    u16(0x2910),
    u16(1),
    u16(0),
    u16(0),
    u16(1),
    nbName('WORKSTATION7', 0),
    u16(0x20),
    u16(1),
    [0xc0, 12],
    u16(0x20),
    u16(1),
    u32(300000),
    u16(6),
    u16(0),
    [192, 168, 1, 20],
  );
  const grp = concat(
    u16(2),
    u16(0x2910),
    u16(1),
    u16(0),
    u16(0),
    u16(1),
    nbName('WORKGROUP', 0),
    u16(0x20),
    u16(1),
    [0xc0, 12],
    u16(0x20),
    u16(1),
    u32(300000),
    u16(6),
    u16(0x8000),
    [192, 168, 1, 20],
  );
  const q = concat(
    u16(3),
    u16(0x0110),
    u16(1),
    u16(0),
    u16(0),
    u16(0),
    nbName('FILESERVER', 0x20),
    u16(0x20),
    u16(1),
  );
  const r = decodeFrames([udpFrame(host, bcast, reg), udpFrame(host, bcast, grp), udpFrame(host, bcast, q)]);
  assert.deepEqual(
    ofKind(r.obs, 'hostname').map((o) => [o.device.mac, o.name]),
    [[host.mac, 'WORKSTATION7']],
  );
  assert.deepEqual(
    ofKind(r.obs, 'identity').map((o) => [o.attr, o.value]),
    [['workgroup', 'WORKGROUP']],
  );
  assert.deepEqual(
    ofKind(r.obs, 'name-query').map((o) => o.name),
    ['FILESERVER<20>'],
  );
});

test('Browser host announcement over NetBIOS datagram: name, OS version, type bits, workgroup', () => {
  const host = { mac: '00:50:56:01:02:03', ip: '192.168.1.20', port: 138 };
  const data = concat(
    [1, 3],
    u32le(720000),
    ascii('WORKSTATION7'),
    new Array(4).fill(0),
    [6, 1],
    u32le(0x00011003),
    [15, 1],
    u16le(0xaa55),
    ascii('Lab PC'),
    [0],
  );
  const mailslot = concat(ascii('\\MAILSLOT\\BROWSE'), [0]);
  const wct = 17;
  const setup = [1, 0, 1, 0, 2, 0];
  const bytesOff = 32 + 1 + wct * 2 + 2;
  const dataOff = bytesOff + mailslot.length;
  const words = concat(
    u16le(0),
    u16le(data.length),
    u16le(0),
    u16le(0),
    [0, 0],
    u16le(0),
    u32le(0),
    u16le(0),
    u16le(0),
    u16le(dataOff),
    u16le(data.length),
    u16le(dataOff),
    [3, 0],
    setup,
  );
  const smb = concat(
    [0xff, 0x53, 0x4d, 0x42, 0x25],
    new Array(27).fill(0),
    [wct],
    words,
    u16le(mailslot.length + data.length),
    mailslot,
    data,
  );
  const dgm = concat(
    [0x11, 0x02],
    u16(1),
    [192, 168, 1, 20],
    u16(138),
    u16(smb.length + 68),
    u16(0),
    nbName('WORKSTATION7', 0),
    nbName('WORKGROUP', 0x1d),
    smb,
  );
  const obs = decodeOne(udpFrame(host, { mac: 'ff:ff:ff:ff:ff:ff', ip: '192.168.1.255', port: 138 }, dgm));
  assert.deepEqual(
    ofKind(obs, 'hostname').map((o) => o.name),
    ['WORKSTATION7'],
  );
  const ids = ofKind(obs, 'identity').map((o) => o.attr + '=' + o.value);
  assert.deepEqual(ids, ['os-version=6.1', 'description=Lab PC', 'workgroup=WORKGROUP']);
  const types = ofKind(obs, 'attribute').find((o) => o.key === 'server-type')?.value;
  assert.equal(types, 'workstation,server,nt-workstation,potential-browser');
  // The same bits as [MS-BRWS] codes, which the rules match.
  assert.deepEqual(
    ofKind(obs, 'attribute')
      .filter((o) => o.key === 'server-type-bit')
      .map((o) => o.value),
    ['0x00000001', '0x00000002', '0x00001000', '0x00010000'],
  );
});

test('SSDP / WSD / NBNS: truncation and corruption never throw', () => {
  const msg = ascii(
    'NOTIFY * HTTP/1.1\r\nSERVER: a/1\r\nUSN: uuid:1234-5678-9abc\r\nLOCATION: http://x/\r\n\r\n',
  );
  const frames = hostileVariants(udpFrame(TV, SSDP_GROUP, msg), 42);
  const wsdx = ascii(
    '<s:Envelope><a:Action>x/Hello</a:Action><d:Types>a:b</d:Types><d:Scopes>onvif://www.onvif.org/name/%E0%A4%A</d:Scopes></s:Envelope>',
  );
  frames.push(...hostileVariants(udpFrame({ ...TV, port: 3702 }, { ...SSDP_GROUP, port: 3702 }, wsdx), 42));
  const r = decodeFrames(frames);
  assert.equal(r.errors, 0);
});
