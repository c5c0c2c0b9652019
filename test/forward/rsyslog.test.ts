import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { analysisEvents, type ForwardEvent } from '../../shared/forward/events';
import { PCAPS } from '../helpers/corpus';
import { analyzeCorpus } from './corpus-run';
import { parseCef } from './cef-reader';
import { RSYSLOG_SKIP, RSYSLOG_TLS, runGlasspane, startRsyslog, type Rsyslog } from './rsyslog';
import { makeTestCa } from '../helpers/test-ca';

const FILE = 'enip-listidentity__icsnpp-enip__enip_cip_example.pcap';
const capture = join(PCAPS, FILE);
const skip = RSYSLOG_SKIP;

let rs: Rsyslog;
/** What the CLI must send: the events of `analyze --db <new> --learn 0` on the capture. */
let expected: ForwardEvent[];

before(async () => {
  if (skip !== false) return;
  rs = await startRsyslog();
  const { inv, alerts } = await analyzeCorpus([FILE]);
  expected = analysisEvents(inv, alerts, { version: '0.1.0' });
});

after(async () => {
  if (skip === false) await rs.stop();
});

const run = runGlasspane;

function newDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'gp-fwd-db-')), 'db.sqlite');
}

const SYSLOG = /^<(\d+)>1 (\S+) (\S+) glasspane (\d+) (\S+) (\[origin [^\]]*\]) (.*)$/s;

/** The lines from one sender (our PROCID), split into header and CEF. */
function fromPid(lines: string[], stderrPid: number) {
  return lines
    .map((l) => SYSLOG.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[4]) === stderrPid)
    .map((m) => ({ msgid: m[5]!, body: m[7]! }));
}

test(
  'analyze --forward delivers one CEF line per device and per alert to rsyslog over TCP and UDP',
  { skip },
  async () => {
    const before = rs.lines().length;
    const tcp = `syslog+tcp://127.0.0.1:${rs.tcpPort}?format=cef`;
    const udp = `syslog+udp://127.0.0.1:${rs.udpPort}?format=cef`;
    const r = await run(
      'analyze',
      capture,
      '--db',
      newDb(),
      '--learn',
      '0',
      '--format',
      'json',
      '--forward',
      tcp,
      '--forward',
      udp,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.ok(expected.some((e) => e.kind === 'alert') && expected.some((e) => e.kind === 'discovered'));
    assert.match(r.stderr, new RegExp(`forwarded ${expected.length} event\\(s\\) to syslog\\+tcp`));
    assert.match(r.stderr, new RegExp(`forwarded ${expected.length} event\\(s\\) to syslog\\+udp`));
    const lines = (await rs.waitFor(before + 2 * expected.length)).slice(before);
    assert.equal(lines.length, 2 * expected.length);
    const pids = new Set(lines.map((l) => SYSLOG.exec(l)?.[4]));
    assert.equal(pids.size, 1, 'one sending process');
    const pid = Number([...pids][0]);
    const got = fromPid(lines, pid).map(({ msgid, body }) => ({ msgid, cef: parseCef(body) }));
    assert.equal(got.length, lines.length, 'every line is RFC 5424 from our process');
    for (const g of got) {
      assert.equal(g.msgid, g.cef.ext.get('act') === 'alert' ? 'alert' : 'device-discovered');
      assert.equal(g.cef.header[1], 'Glasspane');
    }
    const ids = got.map((g) => g.cef.ext.get('externalId')!);
    // Each event arrives twice (once per transport), and nothing else.
    assert.deepEqual([...ids].sort(), [...expected.map((e) => e.id), ...expected.map((e) => e.id)].sort());
    const devices = got.filter((g) => g.cef.ext.get('act') === 'discovered');
    const alerts = got.filter((g) => g.cef.ext.get('act') === 'alert');
    assert.equal(devices.length, 2 * expected.filter((e) => e.kind === 'discovered').length);
    assert.equal(alerts.length, 2 * expected.filter((e) => e.kind === 'alert').length);
    for (const a of alerts) {
      const e = expected.find((x) => x.id === a.cef.ext.get('externalId'))!;
      assert.equal(a.cef.ext.get('flexString1'), e.alert!.id);
      assert.equal(a.cef.ext.get('smac'), e.device?.mac);
    }
  },
);

test(
  'filters and formats per destination: kinds=alert with JSON bodies, min-severity, LEEF',
  { skip },
  async () => {
    const before = rs.lines().length;
    const alertsOnly = `syslog+tcp://127.0.0.1:${rs.tcpPort}?format=json&kinds=alert`;
    const leef = `syslog+udp://127.0.0.1:${rs.udpPort}?format=leef&kinds=discovered`;
    const none = `syslog+tcp://127.0.0.1:${rs.tcpPort}?min-severity=critical`;
    const r = await run(
      'analyze',
      capture,
      '--db',
      newDb(),
      '--learn',
      '0',
      '--forward',
      alertsOnly,
      '--forward',
      leef,
      '--forward',
      none,
    );
    assert.equal(r.status, 0, r.stderr);
    const nAlerts = expected.filter((e) => e.kind === 'alert').length;
    const nDevices = expected.length - nAlerts;
    const nCritical = expected.filter((e) => e.severity === 'critical').length;
    const lines = (await rs.waitFor(before + nAlerts + nDevices + nCritical)).slice(before);
    assert.equal(lines.length, nAlerts + nDevices + nCritical);
    const bodies = lines.map((l) => SYSLOG.exec(l)![7]!);
    const json = bodies.filter((b) => b.startsWith('{')).map((b) => JSON.parse(b) as ForwardEvent);
    assert.deepEqual(
      json.map((e) => e.id),
      expected.filter((e) => e.kind === 'alert').map((e) => e.id),
    );
    assert.ok(json.every((e) => e.alert !== undefined && e.schema === 'glasspane.event/1'));
    const leefLines = bodies.filter((b) => b.startsWith('LEEF:2.0|'));
    assert.equal(leefLines.length, nDevices);
    assert.equal(bodies.filter((b) => b.startsWith('CEF:0|')).length, nCritical);
  },
);

test(
  'a receiver that is down costs a warning, not the output or the exit status, and its events stay queued',
  { skip },
  async () => {
    const down = await startRsyslog();
    const port = down.tcpPort;
    await down.stop();
    const r = await run(
      'analyze',
      capture,
      '--format',
      'json',
      '--forward',
      `syslog+tcp://127.0.0.1:${port}?format=cef`,
    );
    assert.equal(r.status, 0, r.stderr);
    const inv = JSON.parse(r.stdout) as { devices: unknown[] };
    const nDevices = expected.filter((e) => e.kind === 'discovered').length;
    assert.equal(inv.devices.length, nDevices);
    assert.match(
      r.stderr,
      new RegExp(
        `warning: syslog\\+tcp://127\\.0\\.0\\.1:${port}\\?format=cef: ${nDevices} event\\(s\\) still queued after 5 s \\(connection refused \\(127\\.0\\.0\\.1:${port}\\)\\); 0 delivered\\. They wait in \\S+ and go with the next run \\(glasspane forward status\\); the analysis output is complete\n`,
      ),
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.ok(r.ms < 20000, `took ${r.ms} ms`);
  },
);

test('a bad --forward is a one-line usage error (exit 2) before any analysis', async () => {
  for (const [uri, msg] of [
    [
      'ftp://siem.example/ingest',
      "scheme 'ftp' is not supported: use syslog+udp, syslog+tcp, syslog+tls, https (webhook), splunk+https or sentinel",
    ],
    ['syslog+tcp://127.0.0.1:514?format=xml', "format 'xml' is not one of cef, leef, json"],
    [
      'syslog+tcp://127.0.0.1:514?kinds=alert,boot',
      "kind 'boot' is not one of discovered, changed, not-seen, alert, snapshot",
    ],
    [
      'syslog+udp://127.0.0.1:514?min-severity=urgent',
      "min-severity 'urgent' is not one of info, low, medium, high, critical",
    ],
    ['syslog+udp://127.0.0.1:514?ca=/x', "unknown parameter 'ca': use format, kinds, min-severity, not-seen"],
    [
      'syslog+tcp://127.0.0.1:514?not-seen=soon',
      "not-seen 'soon' is not a duration above zero: use e.g. 90s, 30m or 1h",
    ],
    ['127.0.0.1:514', 'not a URI: use e.g. syslog+tcp://127.0.0.1:514?format=cef'],
    ['syslog+tcp://127.0.0.1:0', 'port 0 is not between 1 and 65535'],
  ]) {
    const r = await run('analyze', join(PCAPS, 'no-such-capture.pcap'), '--forward', uri!);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `glasspane: --forward '${uri}': ${msg}\n`);
  }
});

const tlsSkip =
  skip !== false
    ? skip
    : RSYSLOG_TLS
      ? false
      : "rsyslog's TLS driver is not installed (apt-get install rsyslog-gnutls)";

test(
  'syslog+tls (RFC 5425) delivers to rsyslog when the CA matches, and warns when it does not',
  { skip: tlsSkip },
  async () => {
    const pki = makeTestCa();
    const other = makeTestCa();
    const tls = await startRsyslog(pki);
    try {
      const ok = await run(
        'analyze',
        capture,
        '--forward',
        `syslog+tls://127.0.0.1:${tls.tcpPort}?format=cef&ca=${pki.ca}`,
      );
      assert.equal(ok.status, 0, ok.stderr);
      const devices = expected.filter((e) => e.kind === 'discovered');
      assert.match(ok.stderr, new RegExp(`forwarded ${devices.length} event\\(s\\) to syslog\\+tls`));
      const lines = await tls.waitFor(devices.length);
      assert.deepEqual(
        lines.map((l) => parseCef(SYSLOG.exec(l)![7]!).ext.get('externalId')),
        devices.map((e) => e.id),
      );
      const bad = await run(
        'analyze',
        capture,
        '--forward',
        `syslog+tls://127.0.0.1:${tls.tcpPort}?ca=${other.ca}`,
      );
      assert.equal(bad.status, 0, bad.stderr);
      assert.match(
        bad.stderr,
        /warning: syslog\+tls:.* event\(s\) still queued after 5 s \(.*certificate.*\); 0 delivered\./,
      );
      assert.equal((await tls.waitFor(devices.length + 1, 500)).length, devices.length);
    } finally {
      await tls.stop();
      for (const p of [pki, other]) rmSync(dirname(p.ca), { recursive: true, force: true });
    }
  },
);
