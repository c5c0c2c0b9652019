import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, tcpFrame, type Bytes } from '../../helpers/packets';
import type { Observation } from '../../../shared/model/observation';
import { greetingNames, mailSoftware } from '../../../shared/protocols/it/mail-session';
import { parseImapId } from '../../../shared/protocols/it/imap';
import { corpChallenge, ntlmAuthenticate, ntlmNegotiate } from './ntlm-build';
import { decodeFrames, factLines, hostileVariants } from './run';

/**
 * IMAP (RFC 9051) and POP3 (RFC 1939): greetings name the server (first word, Exchange 2003's
 * parentheses, APOP timestamps, Exchange 2013+'s base64 UTF-16LE FQDN), IMAP ID (RFC 2971) names both
 * ends' software, POP3 CAPA's IMPLEMENTATION the server's, and AUTHENTICATE / AUTH NTLM (MS-OXIMAP,
 * MS-OXPOP3) carry NTLMSSP both ways. Passwords (LOGIN, PASS) and what follows STARTTLS / STLS are not read.
 */

const CLI = { mac: '02:00:00:00:07:10', ip: '10.0.7.10' };
let cliPort = 51000;
const b64 = (b: Bytes) => Buffer.from(b).toString('base64');
/** Exchange 2013 and later: the server's FQDN in UTF-16LE, base64, in brackets at the greeting's end. */
const exchangeTag = (fqdn: string) => `[${Buffer.from(fqdn, 'utf16le').toString('base64')}]`;

function session(server: { mac: string; ip: string; port: number }, lines: [boolean, string][]): Bytes[] {
  const c = { ...CLI, port: cliPort++ };
  return lines.map(([fromServer, t]) =>
    fromServer ? tcpFrame(server, c, ascii(t)) : tcpFrame(c, server, ascii(t)),
  );
}

const IMAP = { mac: '02:00:00:00:01:43', ip: '10.0.7.143', port: 143 };
const POP = { mac: '02:00:00:00:01:10', ip: '10.0.7.110', port: 110 };

const facts = (obs: readonly Observation[], proto: string) =>
  factLines(
    obs.filter((o) => o.protocol === proto),
    (o) => o.kind !== 'software',
    48,
  );
const software = (obs: readonly Observation[], proto: string) =>
  obs
    .filter(
      (o): o is Extract<Observation, { kind: 'software' }> => o.protocol === proto && o.kind === 'software',
    )
    .map((o) => `${o.device.ip} ${o.product} ${o.version ?? '-'}`)
    .sort();

test('IMAP: Exchange greeting with its hidden FQDN, ID both ways, AUTHENTICATE NTLM with an initial response', () => {
  const r = decodeFrames(
    session(IMAP, [
      [
        true,
        `* OK The Microsoft Exchange IMAP4 service is ready. ${exchangeTag('EXCH02.corp.example.com')}\r\n`,
      ],
      [false, 'a1 ID ("name" "Thunderbird" "version" "115.3.1" "os" "Windows" "os-version" "10.0")\r\n'],
      [true, '* ID ("name" "Microsoft Exchange" "vendor" NIL)\r\na1 OK ID completed.\r\n'],
      [false, `a2 AUTHENTICATE NTLM ${b64(ntlmNegotiate(19045))}\r\n`],
      [true, `+ ${b64(corpChallenge('EXCH02', 17763))}\r\n`],
      [
        false,
        `${b64(ntlmAuthenticate({ domain: 'CORP', user: 'dave', host: 'WS-DAVE', build: 19045 }))}\r\n`,
      ],
      [true, 'a2 OK AUTHENTICATE completed.\r\n'],
      [false, 'a3 SELECT INBOX\r\na4 LOGIN dave secret\r\n'],
    ]),
  );
  assert.equal(r.errors, 0);
  assert.deepEqual(
    facts(r.obs, 'imap'),
    [
      '10.0.7.10 id Thunderbird',
      '10.0.7.10 id Windows',
      '10.0.7.10 id imap-client',
      '10.0.7.10 id 10.0',
      '10.0.7.10 id 115.3.1',
      '10.0.7.10 ntlmssp.auth.domain CORP',
      '10.0.7.10 ntlmssp.auth.user dave',
      '10.0.7.10 ntlmssp.auth.version 10.0.19045',
      '10.0.7.10 ntlmssp.auth.workstation WS-DAVE',
      '10.0.7.10 ntlmssp.negotiate.version 10.0.19045',
      '10.0.7.143 greeting EXCH02.corp.example.com',
      '10.0.7.143 greeting The Microsoft Exchange IMAP4 service is ready. [',
      '10.0.7.143 greeting imap-server',
      '10.0.7.143 id Microsoft Exchange',
      '10.0.7.143 ntlmssp.challenge ntlm-server',
      '10.0.7.143 ntlmssp.challenge.dnsComputerName exch02.corp.example.com',
      '10.0.7.143 ntlmssp.challenge.dnsDomainName corp.example.com',
      '10.0.7.143 ntlmssp.challenge.nbComputerName EXCH02',
      '10.0.7.143 ntlmssp.challenge.nbDomainName CORP',
      '10.0.7.143 ntlmssp.challenge.version 10.0.17763',
    ].sort(),
  );
  assert.deepEqual(software(r.obs, 'imap'), [
    '10.0.7.10 Thunderbird 115.3.1',
    '10.0.7.143 Microsoft Exchange -',
    '10.0.7.143 Microsoft Exchange -',
  ]);
  // Nothing of the LOGIN line (after SELECT ended the reading) is anywhere.
  assert.ok(!JSON.stringify(r.obs).includes('secret'));
});

test('IMAP: a Dovecot greeting with capabilities; NTLM without an initial response; LOGIN ends the reading', () => {
  const r = decodeFrames(
    session(IMAP, [
      [
        true,
        '* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE AUTH=NTLM] Dovecot (Debian) ready.\r\n',
      ],
      [false, 'x LOGIN carol hunter2\r\n'],
      [false, `y AUTHENTICATE NTLM ${b64(ntlmNegotiate(1))}\r\n`],
    ]),
  );
  assert.equal(r.errors, 0);
  assert.deepEqual(software(r.obs, 'imap'), ['10.0.7.143 Dovecot -']);
  assert.deepEqual(facts(r.obs, 'imap'), [
    '10.0.7.143 greeting Dovecot (Debian) ready.',
    '10.0.7.143 greeting imap-server',
  ]);
  assert.ok(!JSON.stringify(r.obs).includes('hunter2'));
  const n = decodeFrames(
    session(IMAP, [
      [true, '* OK mail.example.org Cyrus IMAP v3.4.1-Debian server ready\r\n'],
      [false, 'a AUTHENTICATE NTLM\r\n'],
      [true, '+ \r\n'],
      [false, `${b64(ntlmNegotiate(22631))}\r\n`],
    ]),
  );
  assert.deepEqual(
    facts(n.obs, 'imap').filter((l) => l.includes('ntlmssp') || l.includes('example')),
    [
      '10.0.7.10 ntlmssp.negotiate.version 10.0.22631',
      '10.0.7.143 greeting mail.example.org',
      '10.0.7.143 greeting mail.example.org Cyrus IMAP v3.4.1-Debian server',
    ],
  );
  assert.deepEqual(software(n.obs, 'imap'), ['10.0.7.143 Cyrus IMAP 3.4.1']);
});

test('POP3: APOP host, CAPA IMPLEMENTATION, AUTH NTLM; USER ends the reading', () => {
  const r = decodeFrames(
    session(POP, [
      [true, '+OK Dovecot ready. <1896.697170952@pop.example.net>\r\n'],
      [false, 'CAPA\r\n'],
      [true, '+OK\r\nTOP\r\nUIDL\r\nSASL NTLM PLAIN\r\nIMPLEMENTATION Dovecot 2.3.19.1\r\n.\r\n'],
      [false, 'AUTH NTLM\r\n'],
      [true, '+ \r\n'],
      [false, `${b64(ntlmNegotiate(19045))}\r\n`],
      [true, `+ ${b64(corpChallenge('MAILSRV', 20348))}\r\n`],
      [
        false,
        `${b64(ntlmAuthenticate({ domain: 'CORP', user: 'erin', host: 'LAPTOP-ERIN', build: 19045 }))}\r\n`,
      ],
      [false, 'USER erin\r\nPASS letmein\r\n'],
    ]),
  );
  assert.equal(r.errors, 0);
  const f = facts(r.obs, 'pop3');
  for (const l of [
    '10.0.7.110 greeting pop.example.net',
    '10.0.7.110 greeting pop3-server',
    '10.0.7.110 implementation Dovecot 2.3.19.1',
    '10.0.7.110 ntlmssp.challenge.nbComputerName MAILSRV',
    '10.0.7.10 ntlmssp.auth.workstation LAPTOP-ERIN',
    '10.0.7.10 ntlmssp.negotiate.version 10.0.19045',
  ])
    assert.ok(f.includes(l), `${l} in\n${f.join('\n')}`);
  assert.deepEqual(software(r.obs, 'pop3'), ['10.0.7.110 Dovecot -', '10.0.7.110 Dovecot 2.3.19.1']);
  assert.ok(!JSON.stringify(r.obs).includes('letmein'));
});

test('greeting names and software: Exchange 2003 parentheses, first words, and what is not a name', () => {
  assert.deepEqual(
    greetingNames(
      'Microsoft Exchange Server 2003 IMAP4rev1 server version 6.5.7638.1 (mail.example.com) ready.',
    ),
    ['mail.example.com'],
  );
  assert.deepEqual(
    mailSoftware('Microsoft Exchange Server 2003 IMAP4rev1 server version 6.5.7638.1 (x) ready.'),
    {
      product: 'Microsoft Exchange Server 2003',
      version: '6.5.7638.1',
    },
  );
  assert.deepEqual(greetingNames('The Microsoft Exchange POP3 service is ready.'), []);
  assert.deepEqual(greetingNames('10.0.0.1 ready'), []);
  // Bracketed base64 that is not UTF-16LE text names nothing.
  assert.deepEqual(greetingNames('ready. [AAECAwQFBgcICQ==]'), []);
  assert.deepEqual(greetingNames(`ready. ${exchangeTag('<script>.example')}`), []);
  assert.deepEqual(
    [...parseImapId('("name" "A \\"q\\" b" "x-evil" "1" "version" NIL "os" "iOS")')],
    [
      ['name', 'A "q" b'],
      ['os', 'iOS'],
    ],
  );
});

test('IMAP and POP3: hostile segments never throw', () => {
  const frames = [
    ...session(IMAP, [
      [true, `* OK ready ${exchangeTag('a.example.com')}\r\n`],
      [false, 'a ID ("name" "x")\r\n'],
      [false, `b AUTHENTICATE NTLM ${b64(ntlmNegotiate(1))}\r\n`],
    ]),
    ...session(POP, [
      [true, '+OK <1@x.example>\r\n'],
      [false, 'CAPA\r\n'],
      [true, '+OK\r\nIMPLEMENTATION Dovecot\r\n.\r\n'],
    ]),
  ];
  for (const f of frames) assert.equal(decodeFrames(hostileVariants(f, 54, 7)).errors, 0);
});
