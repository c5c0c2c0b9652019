import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PCAPS, CORPUS_SKIP } from '../helpers/corpus';
import { missingRequired, OCSF_VERSION_TESTED } from './ocsf-required';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'src-main', 'cli', 'glasspane.ts');
const skip = CORPUS_SKIP;
const capture = join(PCAPS, 'enip-listidentity__icsnpp-enip__enip_cip_example.pcap');

function run(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, encoding: 'utf8' });
}

function records(stdout: string): Record<string, unknown>[] {
  assert.ok(stdout.endsWith('\n'));
  return stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('analyze --format ocsf prints one valid 5001 record per device, as JSON lines', { skip }, () => {
  const json = run('analyze', capture, '--format', 'json', '--no-progress');
  assert.equal(json.status, 0, json.stderr);
  const devices = (JSON.parse(json.stdout) as { devices: { id: string; mac: string | null }[] }).devices;
  const r = run('analyze', capture, '--format', 'ocsf', '--no-progress');
  assert.equal(r.status, 0, r.stderr);
  const recs = records(r.stdout);
  assert.equal(recs.length, devices.length);
  for (const rec of recs) {
    assert.deepEqual(missingRequired(rec), []);
    assert.equal(rec.type_uid, 500102);
    assert.equal((rec.metadata as { version: string }).version, OCSF_VERSION_TESTED);
  }
  assert.deepEqual(
    recs.map((x) => (x.device as { uid: string }).uid),
    devices.map((d) => d.id),
  );
});

test('analyze --db --learn 0 --format ocsf adds one 2004 finding per alert raised', { skip }, () => {
  const db = join(mkdtempSync(join(tmpdir(), 'gp-ocsf-')), 'db.sqlite');
  const r = run('analyze', capture, '--format', 'ocsf', '--db', db, '--learn', '0', '--no-progress');
  assert.equal(r.status, 0, r.stderr);
  const m = /(\d+) new alert\(s\)/.exec(r.stderr);
  assert.ok(m !== null, r.stderr);
  const recs = records(r.stdout);
  const findings = recs.filter((x) => x.class_uid === 2004);
  assert.ok(Number(m[1]) > 0);
  assert.equal(findings.length, Number(m[1]));
  for (const f of findings) {
    assert.deepEqual(missingRequired(f), []);
    assert.equal(f.type_uid, 200401);
    assert.match((f.finding_info as { uid: string }).uid, /^[a-z-]+\|/);
  }
});
