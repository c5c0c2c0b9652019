import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation } from '../../../shared/model/observation';
import { ascii, concat, ethernet, ipv6, mac, tcpFrame, u16, u32, udp, udpFrame } from '../../helpers/packets';
import { ubiquitiReply, tplinkXor } from '../../helpers/iot-payloads';
import { clientCore, connectInitial, connectionConfirm, connectionRequest } from '../../helpers/rdp-frames';
import { tsharkAvailable, tsharkFrames } from '../../helpers/tshark';
import { decodeFrames } from './run';

/**
 * Differential test against tshark on crafted frames, for fields our dissectors extract that no corpus
 * capture carries (LLDP-MED inventory, DHCP user class, DHCPv6 DUID-EN and user class, mDNS HINFO,
 * HTTP WWW-Authenticate, Ubiquiti discovery, TP-Link smart-home replies, SMTP greetings and EHLO, RDP
 * cookie, selected protocol and client core data, IMAP and POP3 greetings). The frames are written to a
 * temporary pcap; tshark (one run) and our decoder read the same bytes, field by field.
 */

const A = { mac: '02:00:00:00:00:0a', ip: '10.0.0.10', port: 40000 };
const B = { mac: '02:00:00:00:00:0b', ip: '10.0.0.11', port: 40001 };

function lldpTlv(type: number, value: number[] | Uint8Array): number[] {
  const v = [...value];
  return [(type << 1) | (v.length >> 8), v.length & 0xff, ...v];
}
const med = (sub: number, s: string) => lldpTlv(127, [0x00, 0x12, 0xbb, sub, ...ascii(s)]);
const lldp = ethernet(
  '01:80:c2:00:00:0e',
  '00:1b:54:aa:bb:01',
  0x88cc,
  concat(
    lldpTlv(1, [4, ...mac('00:1b:54:aa:bb:00')]),
    lldpTlv(2, [3, ...mac('00:1b:54:aa:bb:01')]),
    lldpTlv(3, u16(120)),
    med(5, 'HW rev 2'),
    med(6, 'FW 1.4.2'),
    med(7, 'SW 9.1'),
    med(8, 'SN-00042'),
    med(9, 'Polycom'),
    med(10, 'VVX 411'),
    med(11, 'asset-7'),
    lldpTlv(0, []),
  ),
);

const bootp = (options: number[]) => {
  const b = new Uint8Array(240);
  b.set([1, 1, 6, 0], 0);
  b.set(mac(A.mac), 28);
  b.set(u32(0x63825363), 236);
  return concat(b, options, [255]);
};
// User class (RFC 3004): two instances, each with its own length.
const dhcpUserClass = udpFrame(
  { ...A, ip: '0.0.0.0', port: 68 },
  { mac: 'ff:ff:ff:ff:ff:ff', ip: '255.255.255.255', port: 67 },
  bootp([53, 1, 1, 77, 10, 4, ...ascii('iPXE'), 4, ...ascii('gpxe')]),
);

// The same option as Windows sends it: plain text, no instance lengths.
const dhcpUserClassText = udpFrame(
  { ...A, ip: '0.0.0.0', port: 68 },
  { mac: 'ff:ff:ff:ff:ff:ff', ip: '255.255.255.255', port: 67 },
  bootp([53, 1, 1, 77, 14, ...ascii('RRAS.Microsoft')]),
);

const v6opt = (c: number, d: number[]) => [...u16(c), ...u16(d.length), ...d];
const dhcpv6 = ethernet(
  '33:33:00:01:00:02',
  A.mac,
  0x86dd,
  ipv6(
    'fe80::a',
    'ff02::1:2',
    17,
    udp(
      546,
      547,
      concat(
        [1, 0x12, 0x34, 0x56],
        v6opt(1, [...u16(2), ...u32(9), 0x0a, 0x0b, 0x0c, 0x0d]),
        v6opt(15, [...u16(5), ...ascii('kiosk'), ...u16(3), ...ascii('lab')]),
      ),
    ),
    1,
  ),
);

const mdnsHinfo = udpFrame(
  { ...A, port: 5353 },
  { mac: '01:00:5e:00:00:fb', ip: '224.0.0.251', port: 5353 },
  concat(
    [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0],
    [7, ...ascii('printer'), 5, ...ascii('local'), 0],
    u16(13),
    u16(0x8001),
    u32(120),
    u16(1 + 6 + 1 + 5),
    [6, ...ascii('ARM-v7'), 5, ...ascii('Linux')],
  ),
);

const http401 = tcpFrame(
  { ...B, port: 80 },
  { ...A, port: 50123 },
  ascii(
    'HTTP/1.1 401 Unauthorized\r\nServer: GoAhead-Webs\r\nX-Powered-By: PHP/7.4.3\r\nWWW-Authenticate: Basic realm="NETGEAR R7000"\r\nContent-Length: 0\r\n\r\n',
  ),
);

const ubnt = udpFrame(
  { mac: '24:a4:3c:01:02:03', ip: '10.0.0.70', port: 10001 },
  A,
  ubiquitiReply([
    [0x02, [...mac('24:a4:3c:01:02:03'), 10, 0, 0, 70]],
    [0x03, ascii('XM.v6.1.7')],
    [0x0b, ascii('ap-lab')],
    [0x0c, ascii('LM5N')],
    [0x0d, ascii('wifi')],
    [0x14, ascii('NanoStation 5')],
  ]),
);

const sysinfo =
  '{"system":{"get_sysinfo":{"sw_ver":"1.5.4 Build 180815 Rel.121440","hw_ver":"2.0","model":"HS110(EU)","deviceId":"80061F4C","oemId":"1998A14DAA86E4E001FD7CAF42868B5E","hwId":"044A516EE63C875F9458DA25C2CCC5A0","alias":"Coffee","mic_type":"IOT.SMARTPLUGSWITCH","mac":"50:C7:BF:0B:0C:0D","err_code":0}}}';
const tplink = udpFrame({ mac: '50:c7:bf:0b:0c:0d', ip: '10.0.0.80', port: 9999 }, A, tplinkXor(sysinfo));

const MX = { mac: '02:00:00:00:00:25', ip: '10.0.0.25', port: 25 };
const smtpGreeting = tcpFrame(
  MX,
  { ...A, port: 50025 },
  ascii('220 mx1.example.org ESMTP Postfix (Debian/GNU)\r\n'),
);
const smtpEhlo = tcpFrame({ ...A, port: 50025 }, MX, ascii('EHLO laptop-7.corp.example.com\r\n'));

const TS = { mac: '02:00:00:00:00:33', ip: '10.0.0.33', port: 3389 };
const rdpRequest = tcpFrame({ ...A, port: 50389 }, TS, connectionRequest({ cookie: 'alice', requested: 0 }));
const rdpConfirm = tcpFrame(TS, { ...A, port: 50389 }, connectionConfirm({ selected: 0 }));
const rdpInitial = tcpFrame({ ...A, port: 50389 }, TS, connectInitial(clientCore('WIN7-PC', 7601)));

const IMAPD = { mac: '02:00:00:00:01:43', ip: '10.0.0.143', port: 143 };
const POPD = { mac: '02:00:00:00:01:10', ip: '10.0.0.110', port: 110 };
const imapGreeting = tcpFrame(
  IMAPD,
  { ...A, port: 50143 },
  ascii('* OK [CAPABILITY IMAP4rev1 ID AUTH=NTLM] mail.example.org Cyrus IMAP v3.4.1 server ready\r\n'),
);
const popGreeting = tcpFrame(
  POPD,
  { ...A, port: 50110 },
  ascii('+OK Dovecot ready. <4711.1@pop.example.net>\r\n'),
);

const FRAMES = [
  lldp,
  dhcpUserClass,
  dhcpUserClassText,
  dhcpv6,
  mdnsHinfo,
  http401,
  ubnt,
  tplink,
  smtpGreeting,
  smtpEhlo,
  rdpRequest,
  rdpConfirm,
  rdpInitial,
  imapGreeting,
  popGreeting,
];

/** A field compared: tshark's values (transformed) and ours, in one frame. */
interface Check {
  frame: number;
  field: string;
  theirs?: (v: string[]) => string[];
  ours: (o: Observation) => string | null;
}

const idOf = (o: Observation, proto: string, attr: string) =>
  o.protocol === proto && o.kind === 'identity' && o.attr === attr ? o.value : null;
const attrOf = (o: Observation, proto: string, k: string) =>
  o.protocol === proto && o.kind === 'attribute' && o.key === k ? o.value : null;
/** tshark prints bytes as hex; read them as text. */
const hexText = (v: string[]) => v.map((h) => Buffer.from(h.replace(/:/g, ''), 'hex').toString('latin1'));
/** The get_sysinfo keys our TP-Link dissector reads. */
const TPLINK_KEYS = [
  'model',
  'alias',
  'dev_name',
  'deviceId',
  'sw_ver',
  'hw_ver',
  'hwId',
  'oemId',
  'mac',
  'type',
  'mic_type',
];

const CHECKS: Check[] = [
  { frame: 1, field: 'lldp.port.id.mac', ours: (o) => (o.kind === 'neighbor' ? o.portId : null) },
  { frame: 1, field: 'lldp.media.hardware', ours: (o) => idOf(o, 'lldp', 'hardware') },
  { frame: 1, field: 'lldp.media.firmware', ours: (o) => idOf(o, 'lldp', 'firmware') },
  { frame: 1, field: 'lldp.media.software', ours: (o) => idOf(o, 'lldp', 'software') },
  { frame: 1, field: 'lldp.media.sn', ours: (o) => idOf(o, 'lldp', 'serial') },
  { frame: 1, field: 'lldp.media.manufacturer', ours: (o) => idOf(o, 'lldp', 'vendor') },
  { frame: 1, field: 'lldp.media.model', ours: (o) => idOf(o, 'lldp', 'model') },
  { frame: 1, field: 'lldp.media.asset', ours: (o) => idOf(o, 'lldp', 'asset-id') },
  // RFC 3004 instances: tshark shows each instance's bytes; the plain-text form as text.
  {
    frame: 2,
    field: 'dhcp.option.user_class.data',
    theirs: hexText,
    ours: (o) => attrOf(o, 'dhcp', 'user-class'),
  },
  { frame: 3, field: 'dhcp.option.user_class.text', ours: (o) => attrOf(o, 'dhcp', 'user-class') },
  { frame: 4, field: 'dhcpv6.duiden.enterprise', ours: (o) => attrOf(o, 'dhcpv6', 'duid-enterprise') },
  {
    frame: 4,
    field: 'dhcpv6.userclass.opaque_data',
    theirs: hexText,
    ours: (o) => attrOf(o, 'dhcpv6', 'user-class'),
  },
  { frame: 5, field: 'dns.hinfo.cpu', ours: (o) => idOf(o, 'mdns', 'hardware') },
  { frame: 5, field: 'dns.hinfo.os', ours: (o) => idOf(o, 'mdns', 'os') },
  {
    frame: 6,
    field: 'http.www_authenticate',
    theirs: (v) => v.map((a) => /realm="([^"]*)"/.exec(a)?.[1] ?? ''),
    ours: (o) => attrOf(o, 'http', 'http-auth-realm'),
  },
  {
    frame: 7,
    field: 'ubdp.hostname',
    ours: (o) => (o.protocol === 'ubiquiti' && o.kind === 'hostname' ? o.name : null),
  },
  { frame: 7, field: 'ubdp.firmware_full', ours: (o) => idOf(o, 'ubiquiti', 'firmware') },
  {
    frame: 7,
    field: 'ubdp.product',
    ours: (o) => (o.field === 'model' ? idOf(o, 'ubiquiti', 'model') : null),
  },
  {
    frame: 7,
    field: 'ubdp.model',
    ours: (o) => (o.field === 'modelFull' ? idOf(o, 'ubiquiti', 'model') : null),
  },
  { frame: 7, field: 'ubdp.ssid', ours: (o) => attrOf(o, 'ubiquiti', 'essid') },
  {
    frame: 7,
    field: 'ubdp.ip',
    ours: (o) => (o.protocol === 'ubiquiti' && o.kind === 'address' ? o.ip : null),
  },
  {
    frame: 7,
    field: 'ubdp.mac',
    ours: (o) => (o.protocol === 'ubiquiti' && o.kind === 'address' ? o.device.mac : null),
  },
  // tshark shows the decrypted JSON; the get_sysinfo keys we read, as key=value.
  {
    frame: 8,
    field: 'tplink_smarthome.msg',
    theirs: (v) =>
      v.flatMap((m) => {
        const info = (JSON.parse(m) as { system: { get_sysinfo: Record<string, unknown> } }).system
          .get_sysinfo;
        return Object.entries(info)
          .filter(([k, x]) => TPLINK_KEYS.includes(k) && typeof x === 'string')
          .map(([k, x]) => `${k}=${String(x)}`);
      }),
    ours: (o) => {
      if (o.protocol !== 'tplink-shp' || !o.field.startsWith('get_sysinfo.')) return null;
      const v =
        o.kind === 'hostname' ? o.name : o.kind === 'identity' || o.kind === 'attribute' ? o.value : null;
      return v === null ? null : `${o.field.slice('get_sysinfo.'.length)}=${v}`;
    },
  },
  { frame: 9, field: 'smtp.rsp.parameter', ours: (o) => attrOf(o, 'smtp', 'smtp-banner') },
  {
    frame: 10,
    field: 'smtp.req.parameter',
    ours: (o) => (o.protocol === 'smtp' && o.kind === 'hostname' && o.field === 'ehlo' ? o.name : null),
  },
  {
    frame: 11,
    field: 'rdp.rt_cookie',
    theirs: (v) => v.map((c) => c.replace(/^Cookie: mstshash=/, '').trim()),
    ours: (o) => attrOf(o, 'rdp', 'rdp-user'),
  },
  {
    frame: 12,
    field: 'rdp.negReq.selectedProtocol',
    theirs: (v) => v.map((x) => ({ 0: 'rdp', 1: 'tls', 2: 'credssp' })[Number(x)] ?? x),
    ours: (o) => attrOf(o, 'rdp', 'rdp-security'),
  },
  {
    frame: 13,
    field: 'rdp.client.name',
    ours: (o) => (o.protocol === 'rdp' && o.kind === 'hostname' ? o.name : null),
  },
  { frame: 13, field: 'rdp.client.build', ours: (o) => attrOf(o, 'rdp', 'rdp-client-build') },
  {
    frame: 14,
    field: 'imap.line',
    // tshark keeps the whole line; the banner is the text after the status and its response code.
    theirs: (v) =>
      v.map((l) =>
        l
          .replace(/(\\r)?\\n$/, '')
          .replace(/^\* OK (\[[^\]]*\] ?)?/, '')
          .trim(),
      ),
    ours: (o) => attrOf(o, 'imap', 'imap-banner'),
  },
  { frame: 15, field: 'pop.response.description', ours: (o) => attrOf(o, 'pop3', 'pop3-banner') },
];

test('tshark agreement on crafted frames: fields the corpus does not carry', (t) => {
  if (!tsharkAvailable()) return t.skip('tshark not installed');
  const fields = [...new Set(CHECKS.map((c) => c.field))];
  const rows = tsharkFrames(FRAMES, fields, 'a', {
    aggregator: '\u001f',
    decodeAs: ['udp.port==10001,ubdp'],
  });
  const { obs, errors } = decodeFrames(FRAMES);
  assert.equal(errors, 0);
  for (const c of CHECKS) {
    const raw = rows.get(c.frame)?.[fields.indexOf(c.field)] ?? [];
    const theirs = [...new Set(c.theirs ? c.theirs(raw) : raw)].sort();
    const ours = [...new Set(obs.filter((o) => o.frame === c.frame).flatMap((o) => c.ours(o) ?? []))].sort();
    assert.ok(theirs.length > 0, `${c.field}: tshark decoded nothing in frame ${c.frame}`);
    assert.deepEqual(ours, theirs, `${c.field} (frame ${c.frame})`);
  }
  t.diagnostic(`${CHECKS.length} fields agree on ${FRAMES.length} crafted frames`);
});
