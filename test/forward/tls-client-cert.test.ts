// syslog+tls with a client certificate: a real rsyslog that requires one (x509/certvalid, a test CA
// made here) takes our events with a certificate its CA signed, and refuses, with a message saying
// what to do, one from another CA or none at all; the events of a refused run stay queued.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PCAPS, corpusAvailable } from '../helpers/corpus';
import { makeClientCert, makeTestCa } from '../helpers/test-ca';
import { parseCef } from './cef-reader';
import { RSYSLOGD, RSYSLOG_TLS, runGlasspane, startRsyslog, type Rsyslog } from './rsyslog';

const capture = join(PCAPS, 'enip-listidentity__icsnpp-enip__enip_cip_example.pcap');
const skip =
  RSYSLOGD === null
    ? 'rsyslogd is not installed (apt-get install rsyslog; .ci/run installs it)'
    : !RSYSLOG_TLS
      ? "rsyslog's TLS driver is not installed (apt-get install rsyslog-gnutls)"
      : !corpusAvailable()
        ? 'the capture corpus (../shared/pcaps) is absent'
        : false;

let rs: Rsyslog;
let pki: ReturnType<typeof makeTestCa>;
let other: ReturnType<typeof makeTestCa>;

before(async () => {
  if (skip !== false) return;
  pki = makeTestCa();
  other = makeTestCa();
  rs = await startRsyslog({ ...pki, authMode: 'x509/certvalid' });
});
after(async () => {
  if (skip !== false) return;
  await rs.stop();
  for (const p of [pki, other]) rmSync(dirname(p.ca), { recursive: true, force: true });
});

const run = runGlasspane;

const uri = (q: string) => `syslog+tls://127.0.0.1:${rs.tcpPort}?format=cef&ca=${pki.ca}${q}`;

test("a client certificate signed by the receiver's CA delivers every event", { skip }, async () => {
  const client = makeClientCert(pki.ca);
  const from = rs.lines().length;
  const r = await run(
    'analyze',
    capture,
    '--format',
    'json',
    '--forward',
    uri(`&cert=${client.cert}&key=${client.key}`),
  );
  assert.equal(r.status, 0, r.stderr);
  const n = (JSON.parse(r.stdout) as { devices: unknown[] }).devices.length;
  assert.match(r.stderr, new RegExp(`forwarded ${n} event\\(s\\) to syslog\\+tls`));
  const lines = (await rs.waitFor(from + n)).slice(from);
  assert.equal(lines.length, n);
  for (const l of lines) assert.equal(parseCef(l.slice(l.indexOf('CEF:0|'))).ext.get('act'), 'discovered');
});

test(
  'a certificate from another CA, or none, is refused with a message saying what to do',
  { skip },
  async () => {
    const stranger = makeClientCert(other.ca, 'stranger');
    const from = rs.lines().length;
    const wrong = await run(
      'analyze',
      capture,
      '--forward',
      uri(`&cert=${stranger.cert}&key=${stranger.key}`),
    );
    assert.equal(wrong.status, 0, wrong.stderr);
    assert.match(
      wrong.stderr,
      new RegExp(
        `warning: syslog\\+tls:.* event\\(s\\) still queued after 5 s \\(the receiver (refused the client certificate ${stranger.cert} \\([^)]+\\)|reset the connection after the TLS handshake \\(ECONNRESET\\): it may not trust the client certificate ${stranger.cert};) give cert= and key= signed by a CA it trusts\\); 0 delivered\\.`,
      ),
    );
    const none = await run('analyze', capture, '--forward', uri(''));
    assert.equal(none.status, 0, none.stderr);
    assert.match(
      none.stderr,
      /warning: syslog\+tls:.* event\(s\) still queued after 5 s \(the receiver (refused the connection \([^)]+\)|reset the connection after the TLS handshake \(ECONNRESET\)): it may require a client certificate; give cert=FILE&key=FILE\); 0 delivered\./,
    );
    assert.doesNotMatch(wrong.stderr + none.stderr, /\n\s+at /, 'no stack trace');
    assert.equal((await rs.waitFor(from + 1, 500)).length, from, 'rsyslog took nothing from either');
  },
);

test(
  "cert without key, a missing file, or a key that is not the certificate's: usage errors before any analysis",
  { skip },
  async () => {
    const client = makeClientCert(pki.ca, 'pair');
    const stray = makeClientCert(pki.ca, 'stray');
    const junk = join(dirname(pki.ca), 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    const base = `syslog+tls://127.0.0.1:6514?ca=${pki.ca}`;
    for (const [u, msg] of [
      [
        `${base}&cert=${client.cert}`,
        'cert and key go together: give both (PEM files of the client certificate and its key)',
      ],
      [
        `${base}&cert=/nonexistent.pem&key=${client.key}`,
        "client certificate file '/nonexistent.pem' does not exist",
      ],
      [
        `${base}&cert=${client.cert}&key=${stray.key}`,
        `the client certificate ${client.cert} and key ${stray.key} are not usable (`,
      ],
      [
        `${base}&cert=${junk}&key=${client.key}`,
        `the client certificate ${junk} and key ${client.key} are not usable (`,
      ],
    ] as const) {
      const r = await run('analyze', join(PCAPS, 'no-such-capture.pcap'), '--forward', u);
      assert.equal(r.status, 2, r.stderr);
      assert.ok(r.stderr.startsWith(`glasspane: --forward '${u}': ${msg}`), r.stderr);
      assert.equal(r.stderr.split('\n').length, 2, 'one line');
    }
  },
);
