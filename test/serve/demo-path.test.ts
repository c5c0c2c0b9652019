/**
 * Where the demo capture is written: the per-user cache (its folder created 0700); without a
 * writable cache, a private folder made by mkdtemp, a different one per process, never the fixed
 * shared temp path an attacker could have prepared (here: a symlink planted there).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { DEMO_FILE } from '../../src-main/demo/demo-path';
import { repoRoot } from './helpers/serve-process';

const tmp = mkdtempSync(join(tmpdir(), 'gp-demo-path-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** demoCapturePath() in a fresh process (the module keeps its answer for the process's life). */
function demoPathIn(env: NodeJS.ProcessEnv): string {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      "import('./src-main/demo/demo-path.ts').then(async (m) => console.log(await m.demoCapturePath()))",
    ],
    { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env } },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('the demo goes to the per-user cache, its folder created 0700', () => {
  const cache = join(tmp, 'home-cache', 'glasspane');
  const p = demoPathIn({ GLASSPANE_CACHE_DIR: cache });
  assert.equal(p, join(cache, DEMO_FILE));
  assert.equal(statSync(cache).mode & 0o777, 0o700);
  assert.ok(statSync(p).size > 10_000);
  // Only the capture: no temporary file left beside it.
  assert.deepEqual(readdirSync(cache), [DEMO_FILE]);
});

test('without a writable cache: a private mkdtemp folder per process, not the shared fixed path', () => {
  const shared = join(tmp, 'shared-tmp');
  const attacker = join(tmp, 'attacker');
  mkdirSync(shared);
  mkdirSync(attacker);
  // What the old fixed path would have walked into.
  symlinkSync(attacker, join(shared, 'glasspane'));
  const blocked = join(tmp, 'a-file');
  writeFileSync(blocked, '');
  const env = { GLASSPANE_CACHE_DIR: join(blocked, 'cache'), TMPDIR: shared };
  const a = demoPathIn(env);
  const b = demoPathIn(env);
  for (const p of [a, b]) {
    assert.equal(dirname(dirname(p)), shared);
    assert.match(p, new RegExp(`/glasspane-demo-[A-Za-z0-9]{6}/${DEMO_FILE.replace(/\./g, '\\.')}$`));
    const dir = statSync(dirname(p));
    assert.equal(dir.mode & 0o777, 0o700);
    assert.equal(dir.uid, process.getuid!());
  }
  assert.notEqual(dirname(a), dirname(b), 'each process has its own folder: the name is not predictable');
  assert.deepEqual(readdirSync(attacker), [], 'nothing went through the planted symlink');
});
