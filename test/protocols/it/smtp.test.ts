import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, tcpFrame } from '../../helpers/packets';
import { decodeFrames, hostileVariants, ofKind } from './run';
import { smtpBanner, smtpDomain, smtpSoftware } from '../../../shared/protocols/it/smtp';

const CLIENT = { mac: '02:00:00:00:00:21', ip: '10.0.2.21', port: 51515 };
const MX = { mac: '02:00:00:00:00:25', ip: '10.0.2.25', port: 25 };
let port = 40000;
/** A fresh client port per test, so flows never share state. */
const client = () => ({ ...CLIENT, port: port++ });

test('SMTP: greeting name and software, EHLO name split over segments, 250 reply name', () => {
  const c = client();
  const ehlo = ascii('EHLO laptop-7.corp.example.com\r\n');
  const r = decodeFrames([
    tcpFrame(MX, c, ascii('220 mx1.example.org ESMTP Postfix (Debian/GNU)\r\n')),
    tcpFrame(c, MX, ehlo.slice(0, 9)),
    tcpFrame(c, MX, ehlo.slice(9)),
    tcpFrame(MX, c, ascii('250-relay.example.org Hello laptop-7 [10.0.2.21]\r\n250-SIZE 10240000\r\n')),
    tcpFrame(MX, c, ascii('250 STARTTLS\r\n')),
    tcpFrame(c, MX, ascii('STARTTLS\r\n')),
  ]);
  assert.equal(r.errors, 0);
  assert.deepEqual(
    ofKind(r.obs, 'hostname').map((o) => [o.frame, o.device.ip, o.field, o.name]),
    [
      [1, MX.ip, 'greeting', 'mx1.example.org'],
      [3, CLIENT.ip, 'ehlo', 'laptop-7.corp.example.com'],
      [4, MX.ip, 'ehlo-reply', 'relay.example.org'],
    ],
  );
  assert.deepEqual(
    ofKind(r.obs, 'software').map((o) => [o.device.ip, o.product, o.version, o.raw]),
    [[MX.ip, 'Postfix', null, 'mx1.example.org ESMTP Postfix (Debian/GNU)']],
  );
  assert.deepEqual(
    ofKind(r.obs, 'role').map((o) => [o.device.ip, o.role, o.peer?.ip]),
    [
      [MX.ip, 'smtp-server', CLIENT.ip],
      [CLIENT.ip, 'smtp-client', MX.ip],
    ],
  );
});

test('SMTP: HELO on submission, the same name in the 250 reply is not repeated, literals are no names', () => {
  const sub = { ...MX, port: 587 };
  const c = client();
  const r = decodeFrames([
    tcpFrame(
      sub,
      c,
      ascii('220-mail.example.net ESMTP Exim 4.96 #2 Sun, 06 Dec 2026 11:40:02 +0000\r\n220 No UCE\r\n'),
    ),
    tcpFrame(c, sub, ascii('HELO [10.0.2.21]\r\n')),
    tcpFrame(sub, c, ascii('250 mail.example.net Hello [10.0.2.21]\r\n')),
  ]);
  assert.deepEqual(
    ofKind(r.obs, 'hostname').map((o) => [o.field, o.name]),
    [['greeting', 'mail.example.net']],
  );
  assert.deepEqual(
    ofKind(r.obs, 'attribute').map((o) => [o.key, o.value]),
    [
      ['smtp-banner', 'mail.example.net ESMTP Exim 4.96 #2'],
      ['smtp-helo', '[10.0.2.21]'],
    ],
  );
  assert.deepEqual(
    ofKind(r.obs, 'software').map((o) => [o.product, o.version]),
    [['Exim', '4.96']],
  );
});

test('SMTP software: known products and their versions only', () => {
  assert.deepEqual(
    smtpSoftware('mx.example.com Microsoft ESMTP MAIL Service, Version: 8.5.9600.16384 ready'),
    {
      product: 'Microsoft ESMTP MAIL Service',
      version: '8.5.9600.16384',
    },
  );
  assert.deepEqual(smtpSoftware('h.example.com ESMTP Sendmail 8.15.2/8.15.2; Sun, 6 Dec'), {
    product: 'Sendmail',
    version: '8.15.2',
  });
  assert.equal(smtpSoftware('mx.google.com ESMTP d2e1a72fcca58-7b9 - gsmtp'), null);
  assert.equal(smtpSoftware('ready'), null);
  // The clock in a greeting is dropped: every connection states the same banner.
  assert.equal(
    smtpBanner('h.example.com ESMTP Sendmail 8.15.2/8.15.2; Sun, 6 Dec 2026 11:40:02 +0100 (CET)'),
    'h.example.com ESMTP Sendmail 8.15.2/8.15.2',
  );
  assert.equal(
    smtpBanner('EX01.corp.local Microsoft ESMTP MAIL Service ready at Sun, 6 Dec 2026 11:40:02 +0100'),
    'EX01.corp.local Microsoft ESMTP MAIL Service ready',
  );
  assert.equal(
    smtpBanner('mx1.example.org ESMTP Postfix (Debian/GNU)'),
    'mx1.example.org ESMTP Postfix (Debian/GNU)',
  );
  assert.equal(smtpDomain('[192.0.2.1]'), null);
  assert.equal(smtpDomain('192.0.2.1'), null);
  assert.equal(smtpDomain('host.example.com.'), 'host.example.com');
  assert.equal(smtpDomain('a'.repeat(64)), null);
});

test('SMTP: a capture that starts mid-session, or port 25 that is not SMTP, yields nothing', () => {
  const c = client();
  const mid = decodeFrames([
    tcpFrame(MX, c, ascii('250 2.0.0 Ok: queued as 4F1B2\r\n')),
    tcpFrame(c, MX, ascii('QUIT\r\n')),
  ]);
  assert.deepEqual(mid.obs, []);
  const c2 = client();
  const other = decodeFrames([
    tcpFrame(MX, c2, ascii('\x16\x03\x01\x02\x00binary')),
    tcpFrame(c2, MX, ascii('hello')),
  ]);
  assert.deepEqual(other.obs, []);
});

test('SMTP: a line longer than SMTP allows ends the direction; retransmissions and gaps are not misread', () => {
  const c = client();
  const long = decodeFrames([
    tcpFrame(MX, c, ascii('220 ' + 'x'.repeat(3000))),
    tcpFrame(MX, c, ascii(' tail.example.com\r\n')),
  ]);
  assert.deepEqual(ofKind(long.obs, 'hostname'), []);
  const c2 = client();
  const helo = ascii('EHLO gap.example.com\r\n');
  const gap = decodeFrames([
    tcpFrame(c2, MX, helo.slice(0, 6), { seq: 1 }),
    // Bytes 7..10 never arrive: "EHLO g" + "example.com" must not become a name.
    tcpFrame(c2, MX, helo.slice(10), { seq: 11 }),
  ]);
  assert.deepEqual(ofKind(gap.obs, 'hostname'), []);
  const c3 = client();
  const again = ascii('EHLO twice.example.com\r\n');
  const retx = decodeFrames([tcpFrame(c3, MX, again, { seq: 1 }), tcpFrame(c3, MX, again, { seq: 1 })]);
  assert.equal(ofKind(retx.obs, 'hostname').length, 1);
});

test('SMTP: truncated and corrupted sessions never throw or count a dissector error', () => {
  const c = client();
  const frames = [
    tcpFrame(MX, c, ascii('220 mx1.example.org ESMTP Postfix\r\n'), { seq: 1 }),
    tcpFrame(c, MX, ascii('EHLO laptop.example.com\r\n'), { seq: 1 }),
    tcpFrame(MX, c, ascii('250-mx1.example.org\r\n250 8BITMIME\r\n'), { seq: 40 }),
  ];
  for (const f of frames) for (const v of hostileVariants(f, 54)) assert.equal(decodeFrames([v]).errors, 0);
});
