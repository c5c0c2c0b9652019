/**
 * Report PDFs launch Chromium with its sandbox, except as root (where Chromium will not start
 * sandboxed): the launch options for each case, and a real print through a wrapper that records
 * the arguments Chromium gets, as root and as nobody.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { chromiumLaunchOptions, CHROMIUM_ARGS, DEFAULT_CHROMIUM, htmlToPdf } from '../../src-main/report/pdf';

const repoRoot = resolve(import.meta.dirname, '..', '..');

test('as a normal user: the sandbox stays on (no --no-sandbox, chromiumSandbox true)', () => {
  for (const uid of [1000, 65534]) {
    const o = chromiumLaunchOptions(uid);
    assert.equal(o.chromiumSandbox, true);
    assert.ok(!o.args.includes('--no-sandbox'), o.args.join(' '));
    assert.deepEqual(o.args, CHROMIUM_ARGS);
  }
  // No user ids (Windows): nothing is known to forbid the sandbox.
  assert.equal(chromiumLaunchOptions(null).chromiumSandbox, true);
});

test('as root: --no-sandbox, since Chromium refuses to run sandboxed there', () => {
  const o = chromiumLaunchOptions(0);
  assert.equal(o.chromiumSandbox, false);
  assert.equal(o.args[0], '--no-sandbox');
  assert.deepEqual(o.args.slice(1), CHROMIUM_ARGS);
});

test('the default is the running process', () => {
  assert.equal(chromiumLaunchOptions().chromiumSandbox, process.getuid?.() !== 0);
});

test('CHROMIUM_ARGS itself never turns the sandbox off', () => {
  assert.ok(!CHROMIUM_ARGS.some((a) => /sandbox/.test(a)));
});

const canSwitchUser =
  process.getuid?.() === 0 && existsSync(DEFAULT_CHROMIUM) && existsSync('/usr/bin/setpriv');

test(
  'a real print: as root Chromium gets --no-sandbox, as nobody it runs sandboxed and still prints',
  { skip: !canSwitchUser && 'needs root, setpriv and /usr/bin/chromium' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-pdf-sandbox-'));
    try {
      chmodSync(dir, 0o755);
      const log = join(dir, 'args.log');
      writeFileSync(log, '');
      chmodSync(log, 0o666);
      // A wrapper that records the arguments Chromium is started with, then is Chromium.
      const wrapper = join(dir, 'chromium');
      writeFileSync(wrapper, `#!/bin/sh\necho "$(id -u) $*" >> '${log}'\nexec '${DEFAULT_CHROMIUM}' "$@"\n`);
      chmodSync(wrapper, 0o755);

      const asRoot = await htmlToPdf('<p>root</p>', wrapper);
      assert.ok(asRoot.ok, !asRoot.ok ? asRoot.reason : '');
      const script = `import('./src-main/report/pdf.ts').then(async (m) => { const r = await m.htmlToPdf('<p>nobody</p>', ${JSON.stringify(wrapper)}); console.log(r.ok ? 'PDF ' + r.pdf.subarray(0, 5).toString() : 'FAILED ' + r.reason); })`;
      const r = spawnSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          '--import',
          'tsx',
          '-e',
          script,
        ],
        { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, HOME: dir }, timeout: 90_000 },
      );
      assert.equal(r.stdout.trim(), 'PDF %PDF-', r.stderr);
      const launches = readFileSync(log, 'utf8').trim().split('\n');
      const root = launches.find((l) => l.startsWith('0 '));
      const nobody = launches.find((l) => l.startsWith('65534 '));
      assert.ok(root !== undefined && nobody !== undefined, launches.join('\n'));
      assert.match(root, / --no-sandbox( |$)/);
      assert.doesNotMatch(nobody, /--no-sandbox/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
