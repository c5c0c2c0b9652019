import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { electronBinary, repoRoot } from './helpers/paths';

test('npm start without an Electron binary: one clear message, then the web console on loopback', async (t) => {
  if (electronBinary()) return t.skip('the Electron binary is installed here; npm start would open the app');
  const cache = mkdtempSync(join(tmpdir(), 'glasspane-electron-cache-'));
  // Electron's real installer runs, against a mirror that refuses at once: the download fails fast
  // and offline, whatever the network here, and no cached zip can rescue it. No display: no browser.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ELECTRON_MIRROR: 'http://127.0.0.1:9/',
    electron_config_cache: cache,
  };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'scripts/start.mjs'), '--no-sandbox', '--port', '0'],
    {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    // The build may run first on a fresh clone; the URL is the first line on stdout.
    const deadline = Date.now() + 120_000;
    while (!/^https?:\/\/\S+$/m.test(stdout) && child.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const url = stdout.match(/^(https?:\/\/\S+)$/m)?.[1];
    assert.ok(url, `no console URL on stdout\n${stdout}\n${stderr}`);
    const u = new URL(url);
    assert.equal(u.hostname, '127.0.0.1', 'the console listens on loopback only');
    assert.match(u.searchParams.get('token') ?? '', /.{16,}/, 'the URL carries the token');
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i, 'the console serves the UI');
    assert.match(stderr, /Electron binary is not installed and could not be downloaded/);
    assert.match(stderr, /ECONNREFUSED|127\.0\.0\.1:9/, 'the reason comes from the real installer');
    assert.match(stderr, /Starting the same UI as the web console instead/);
    assert.match(stderr, /node node_modules\/electron\/install\.js/);
    assert.match(`${stdout}${stderr}`, /no browser to open here/);
    assert.equal(stderr.match(/not installed/g)?.length, 1, 'the message is said once');
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    const [code] = await exited;
    rmSync(cache, { recursive: true, force: true });
    assert.equal(code, 0, `the console stops cleanly on SIGTERM\n${stderr}`);
    assert.doesNotMatch(`${stdout}\n${stderr}`, /^\s+at .+[(:]\d+/m, 'no stack trace');
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
