import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { electronBinary, repoRoot } from './helpers/paths';

test('npm start without an Electron binary: one clear message, exit 1, no stack trace', (t) => {
  if (electronBinary()) return t.skip('the Electron binary is installed here; npm start would open the app');
  const cache = mkdtempSync(join(tmpdir(), 'glasspane-electron-cache-'));
  try {
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/start.mjs')], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
      // Electron's real installer runs, against a mirror that refuses at once: the download fails
      // fast and offline, whatever the network here, and no cached zip can rescue it.
      env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: cache },
    });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.signal, null, 'start.mjs did not finish in time');
    assert.equal(r.status, 1, out);
    assert.match(r.stderr, /Electron binary is not installed and could not be downloaded/);
    assert.match(r.stderr, /ECONNREFUSED|127\.0\.0\.1:9/, 'the reason comes from the real installer');
    assert.match(r.stderr, /node node_modules\/electron\/install\.js/);
    assert.match(r.stderr, /npx glasspane serve/);
    assert.match(r.stderr, /npx glasspane analyze FILE/);
    assert.doesNotMatch(out, /^\s+at .+[(:]\d+/m, 'no stack trace');
    assert.equal(out.match(/not installed/g)?.length, 1, 'the message is said once');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('native modules are built into .native/<runtime>/<name>/ without touching node_modules', async (t) => {
  // Electron's headers need a download, so this builds cap against Node's own headers instead: the
  // copy, the build in place, the stamp and the skip are the same code path.
  const prefixes = [
    (process.config.variables as { node_prefix?: string }).node_prefix ?? '',
    dirname(dirname(process.execPath)),
    '/usr',
  ];
  const nodedir = prefixes.find((p) => p !== '' && existsSync(join(p, 'include/node/node.h')));
  if (!nodedir) return t.skip(`no Node headers under ${prefixes.join(', ')}`);
  const nodeBuild = join(repoRoot, 'node_modules/cap/build/Release/cap.node');
  if (!existsSync(nodeBuild)) return t.skip('cap is not built for Node here');
  // A plain .mjs script: imported by URL, typed here.
  const { buildNative } = (await import(pathToFileURL(join(repoRoot, 'scripts/start.mjs')).href)) as {
    buildNative: (n: string, v: string, a: string, out: string, gyp: object) => boolean;
  };
  const before = statSync(nodeBuild).mtimeMs;
  const outRoot = join(repoRoot, '.native', `test-${process.pid}`);
  const gyp = { target: process.versions.node, nodedir };
  try {
    assert.equal(buildNative('cap', `node-${process.versions.node}`, process.arch, outRoot, gyp), true);
    const built = join(outRoot, 'cap', 'build/Release/cap.node');
    assert.ok(existsSync(built));
    const stamp = JSON.parse(readFileSync(join(outRoot, 'cap', '.glasspane-build.json'), 'utf8'));
    assert.equal(stamp.arch, process.arch);
    assert.equal(
      stamp.cap,
      JSON.parse(readFileSync(join(repoRoot, 'node_modules/cap/package.json'), 'utf8')).version,
    );
    // The copy loads from its own folder, as loadNative will under Electron.
    const cap = createRequire(join(repoRoot, 'package.json'))(join(outRoot, 'cap')) as {
      Cap: { deviceList(): unknown[] };
    };
    assert.equal(typeof cap.Cap.deviceList, 'function');
    const builtAt = statSync(built).mtimeMs;
    assert.equal(buildNative('cap', `node-${process.versions.node}`, process.arch, outRoot, gyp), true);
    assert.equal(statSync(built).mtimeMs, builtAt, 'a second start must not rebuild');
    assert.equal(statSync(nodeBuild).mtimeMs, before, "Node's own build must stay untouched");
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
});
