// Whether the capture helper may capture, asked before anyone clicks Start: the native helper's
// --check-rights as the start screen's source reads it (canCaptureRaw), for a user without and with
// the capability setcap gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeCaptureHelper } from '../../src-main/capture/live/helper-path';
import { canCaptureRaw } from '../../src-main/ipc/os-sources';
import { nativeHelperPath, nativeUnavailable } from './helpers';

const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'];
const why =
  nativeUnavailable() ??
  (process.getuid?.() !== 0 ? 'needs root to hand out capabilities' : null) ??
  (spawnSync('setpriv', ['--version']).status !== 0 ? 'needs setpriv (util-linux)' : null) ??
  (spawnSync('setcap', ['-v'], { encoding: 'utf8' }).error ? 'needs setcap (libcap2-bin)' : null);

test('the native helper says whether it may capture: no for a plain user, yes once setcap gave it the right', (t) => {
  if (why !== null) return t.skip(why);
  const dir = mkdtempSync(join(tmpdir(), 'gp-rights-'));
  const copy = join(dir, 'glasspane-capture');
  try {
    chmodSync(dir, 0o755);
    copyFileSync(nativeHelperPath(), copy);
    chmodSync(copy, 0o755);
    const ask = () =>
      spawnSync(asNobody[0]!, [...asNobody.slice(1), copy, '--check-rights'], { encoding: 'utf8' });
    assert.equal(ask().stdout.trim(), 'no');
    assert.equal(spawnSync('setcap', ['cap_net_raw=eip', copy]).status, 0);
    assert.equal(ask().stdout.trim(), 'yes');
    // Root may capture anyway; the source listing reads the helper's answer, not its own rights.
    assert.equal(canCaptureRaw(nativeCaptureHelper(copy)), true);
    assert.equal(canCaptureRaw(nativeCaptureHelper(join(dir, 'missing'))), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
