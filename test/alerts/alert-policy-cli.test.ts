/**
 * `--alert-policy FILE` on analyze and serve: a user's YAML merged over the default policy changes
 * which OT events alert and how they read, on a real capture, with no parser touched; a bad file is
 * refused in one line with exit code 2 before anything is recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AlertJson } from '../../shared/model/alert';
import { PCAPS, skipUnlessCorpus } from '../helpers/corpus';
import { parseCallResult, type Alert } from '../../shared/ipc/contract';
import { runServe, startServe } from '../serve/helpers/serve-process';
import { waitForCaptureState, WsClient } from '../serve/helpers/ws-client';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'src-main', 'cli', 'glasspane.ts');
const tmp = mkdtempSync(join(tmpdir(), 'gp-policy-'));
// Modbus/TCP with write requests and a "restart communications" diagnostic.
const CAPTURE = join(PCAPS, 'modbus-fc43__iti-ics__modbus_test_data_part1.pcap');

function run(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, encoding: 'utf8' });
}

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

function otAlerts(db: string): [string, string, string][] {
  const r = run('alerts', '--db', db, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as AlertJson[])
    .filter((a) => a.kind === 'ot-event')
    .map((a) => [a.severity, String(a.detail.event), String(a.detail.detail)]);
}

const TUNED = `# Writes matter on this plant; restarts of communications do not.
modbus.modbus-write:
  severity: high
  text: 'write number {count}: function {function}, unit {unit}'
modbus.device-restart:
  severity: low
`;

test('analyze --alert-policy: a tuned policy changes which events alert and their wording', (t) => {
  if (skipUnlessCorpus(t)) return;
  const plain = join(tmp, 'plain.sqlite');
  assert.equal(run('analyze', CAPTURE, '--db', plain, '--learn', '0', '--no-progress').status, 0);
  assert.deepEqual(otAlerts(plain), [
    ['high', 'device-restart', 'Diagnostics: restart communications option (unit 10)'],
  ]);

  const tuned = join(tmp, 'tuned.sqlite');
  const policy = file('tuned.yaml', TUNED);
  const r = run('analyze', CAPTURE, '--db', tuned, '--learn', '0', '--no-progress', '--alert-policy', policy);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(otAlerts(tuned), [['high', 'modbus-write', 'write number 1: function 5, unit 10']]);
});

test('analyze --alert-policy: a bad file is one line, exit 2, and the database is left as it was', (t) => {
  if (skipUnlessCorpus(t)) return;
  const db = join(tmp, 'kept.sqlite');
  assert.equal(run('analyze', CAPTURE, '--db', db, '--learn', '0', '--no-progress').status, 0);
  const before = otAlerts(db);
  assert.equal(before.length, 1);
  const cases: [string, string][] = [
    [
      file('unknown.yaml', 'modbus.nope: {severity: high}\n'),
      "unknown event kind 'modbus.nope': kinds are protocol.event, e.g. bacnet.bacnet-write, bacnet.device-restart, bacnet.communication-control",
    ],
    [
      file('severity.yaml', 'modbus.modbus-write: {severity: urgent}\n'),
      'modbus.modbus-write.severity: Invalid option: expected one of "info"|"low"|"medium"|"high"|"critical"; each entry is a kind with severity (info, low, medium, high, critical) and/or text',
    ],
    [
      file('key.yaml', 'modbus.modbus-write: {severity: high, colour: red}\n'),
      'modbus.modbus-write: Unrecognized key: "colour"; each entry is a kind with severity (info, low, medium, high, critical) and/or text',
    ],
    [file('broken.yaml', 'modbus.modbus-write: [\n'), ''],
    [join(tmp, 'missing.yaml'), 'no such file; give a YAML file mapping event kinds to { severity, text }'],
  ];
  for (const [policy, why] of cases) {
    const r = run('analyze', CAPTURE, '--db', db, '--no-progress', '--alert-policy', policy);
    assert.equal(r.status, 2, policy);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(`glasspane: alert policy ${policy}: `), r.stderr);
    if (why !== '') assert.equal(r.stderr, `glasspane: alert policy ${policy}: ${why}\n`);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  assert.deepEqual(otAlerts(db), before);

  const noDb = run('analyze', CAPTURE, '--no-progress', '--alert-policy', file('ok.yaml', TUNED));
  assert.equal(noDb.status, 2);
  assert.equal(noDb.stderr, 'glasspane: --alert-policy tunes the alerts a recording raises: add --db\n');
});

test('serve --alert-policy: a bad file is refused with exit 2 before serving', async () => {
  const policy = file('serve-bad.yaml', 'enip.controller-stop: {severity: loud}\n');
  const r = await runServe(['--alert-policy', policy]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /^glasspane: alert policy .*serve-bad\.yaml: enip\.controller-stop\.severity: Invalid option/,
  );
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
});

test('serve --alert-policy: the console engine raises alerts by the tuned policy', async (t) => {
  if (skipUnlessCorpus(t)) return;
  const serve = await startServe(['--learn', '0', '--alert-policy', file('serve-tuned.yaml', TUNED)]);
  try {
    const c = await WsClient.connect(serve.origin, serve.token);
    const r = parseCallResult('openCapture', await c.call('openCapture', { paths: [CAPTURE] }));
    assert.ok(r.ok, JSON.stringify(r));
    await waitForCaptureState(c, ['finished']);
    const ot = c.events
      .filter((e) => e.name === 'alert')
      .map((e) => e.payload as Alert)
      .filter((a) => a.kind === 'ot-event')
      .map((a) => [a.severity, a.detail.event, a.detail.detail]);
    assert.deepEqual(ot, [['high', 'modbus-write', 'write number 1: function 5, unit 10']]);
    c.close();
  } finally {
    assert.equal(await serve.stop(), 0);
  }
});
