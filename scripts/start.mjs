// `npm start`: run the desktop app from this checkout.
//
//  1. Find the Electron binary. The electron package downloads it in a postinstall script, which this
//     project does not run (see "allowScripts" in package.json); so try electron's own installer once.
//     If that fails (an offline machine), say so in one message and start the same UI as the web
//     console instead (`glasspane serve` on loopback, token in the URL), print its URL and open it in
//     the default browser where there is one: the README's first command then does the main job on
//     every machine. Arguments after `npm start --` go to `glasspane serve` in that case.
//  2. Build (scripts/build.mjs) when dist/ is missing or older than the sources.
//  3. Build the native modules (cap, better-sqlite3) for Electron's ABI into
//     .native/electron-<version>/<name>/, a copy of each package: node_modules keeps Node's build, so
//     `npm test` and `npm start` both work in either order. src-main/native/load-native.ts loads from
//     there under Electron. Skipped when already built for that Electron version and architecture.
//  4. Run Electron on this folder (package.json "main" is dist/electron/main.cjs). Extra arguments are
//     passed on: `npm start -- --no-sandbox` where Chromium's sandbox cannot run (containers as root).
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const NATIVE_MODULES = ['cap', 'better-sqlite3'];
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const GYP_TIMEOUT_MS = 20 * 60_000;

const say = (msg) => console.log(`start: ${msg}`);

// ---- 1. the Electron binary ------------------------------------------------------------------------

function electronVersion() {
  return JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
}

/** The binary's path; the electron package's main only returns it once the download has happened. */
function findElectron() {
  try {
    const id = require.resolve('electron');
    delete require.cache[id];
    const p = require(id);
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

/** One line saying why the installer failed: its first line that is not part of a stack trace. */
function installFailure(r) {
  if (r.error) return r.error.code === 'ETIMEDOUT' ? 'the download timed out' : r.error.message;
  const lines = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').map((l) => l.trim());
  const line = lines.find((l) => l !== '' && !l.startsWith('at ') && !/^\^+$/.test(l));
  return line ? line.slice(0, 200) : `the installer exited with code ${r.status}`;
}

function installElectron() {
  const installer = join(root, 'node_modules/electron/install.js');
  if (!existsSync(installer)) return 'node_modules/electron is missing (run npm ci)';
  say(`the Electron binary is missing; trying electron's installer (node node_modules/electron/install.js)…`);
  const r = spawnSync(process.execPath, [installer], {
    cwd: join(root, 'node_modules/electron'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: INSTALL_TIMEOUT_MS,
  });
  return r.status === 0 && !r.error ? null : installFailure(r);
}

function explainMissingElectron(reason) {
  console.error(
    [
      '',
      `Glasspane: the Electron binary is not installed and could not be downloaded (${reason}).`,
      '  Starting the same UI as the web console instead (glasspane serve, on loopback only).',
      '',
      '  For the desktop window, on a machine with internet access run, in this folder:',
      '      node node_modules/electron/install.js',
      '  then `npm start` again. Without Electron the engine also runs as:',
      '      npx glasspane serve           the console in your browser',
      '      npx glasspane analyze FILE    analyse a capture file from the command line',
      '',
    ].join('\n'),
  );
}

// ---- 1b. the web console, where Electron cannot be had ------------------------------------------------

/** Electron's own switches make no sense to `glasspane serve`; everything else is passed on. */
const ELECTRON_ONLY_ARGS = new Set(['--no-sandbox', '--disable-gpu', '--enable-logging']);

/** The command that opens a URL in the default browser, or null where there is none to show it. */
function browserOpener(env = process.env) {
  if (env.GLASSPANE_NO_BROWSER) return null;
  if (process.platform === 'darwin') return ['open'];
  if (process.platform === 'win32') return ['cmd', '/c', 'start', '""'];
  // Linux and the BSDs: xdg-open, and only with a display to show a window on (not over SSH or in CI).
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return null;
  const path = (env.PATH ?? '').split(':').find((d) => d !== '' && existsSync(join(d, 'xdg-open')));
  return path ? [join(path, 'xdg-open')] : null;
}

function openInBrowser(url) {
  const opener = browserOpener();
  if (!opener) {
    say('no browser to open here: open the URL above yourself');
    return;
  }
  try {
    const child = spawn(opener[0], [...opener.slice(1), url], { stdio: 'ignore', detached: true });
    child.on('error', () => say('could not start the browser: open the URL above yourself'));
    child.unref();
  } catch {
    say('could not start the browser: open the URL above yourself');
  }
}

/**
 * Runs `glasspane serve` from this checkout's build. Its first line on stdout is the URL (token
 * included), printed here and opened in the browser; the rest of its output passes through. Exits
 * with the console's own exit code; SIGINT and SIGTERM stop it cleanly.
 */
function runWebConsole(args) {
  const cli = join(root, 'bin/glasspane.cjs');
  const serveArgs = args.filter((a) => !ELECTRON_ONLY_ARGS.has(a));
  const child = spawn(process.execPath, [cli, 'serve', ...serveArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  let pending = '';
  let urlSeen = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    if (urlSeen) return void process.stdout.write(chunk);
    pending += chunk;
    const nl = pending.indexOf('\n');
    if (nl < 0) return;
    urlSeen = true;
    const url = pending.slice(0, nl).trim();
    console.log(url);
    say(`the Glasspane console is at the URL above (valid while it runs; Ctrl+C to stop)`);
    if (/^https?:\/\//.test(url)) openInBrowser(url);
    process.stdout.write(pending.slice(nl + 1));
  });
  child.on('error', (e) => {
    console.error(`Glasspane: could not start the web console (${e.message}).`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

// ---- 2. build -------------------------------------------------------------------------------------

function newestMtime(p, depth = 0) {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  if (depth > 12) return 0;
  let newest = 0;
  for (const e of readdirSync(p)) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(p, e), depth + 1));
  }
  return newest;
}

function buildIfNeeded() {
  const outputs = [
    'dist/electron/main.cjs',
    'dist/electron/preload.cjs',
    'dist/renderer/index.html',
    'dist/renderer/main.js',
  ];
  const oldestOutput = Math.min(
    ...outputs.map((o) => (existsSync(join(root, o)) ? statSync(join(root, o)).mtimeMs : 0)),
  );
  const inputs = ['src-main', 'src-renderer', 'shared', 'scripts/build.mjs', 'package.json'];
  const newestInput = Math.max(...inputs.map((i) => newestMtime(join(root, i))));
  if (oldestOutput > newestInput) return true;
  say('building…');
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  return r.status === 0;
}

// ---- 3. native modules for Electron's ABI ---------------------------------------------------------

/**
 * npm passes its config to scripts as npm_config_* variables, and node-gyp obeys them: a nodedir or
 * target meant for Node (this machine sets nodedir=/usr) would build against Node's headers and give
 * a module Electron cannot load. Only our command line may choose the headers.
 */
function gypEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (
      /^npm_config_(nodedir|target|runtime|disturl|dist_url|arch|target_arch|devdir|build_from_source)$/i.test(
        k,
      )
    )
      delete env[k];
  }
  return env;
}

function nodeGypScript() {
  const npmDirs = [];
  if (process.env.npm_execpath) npmDirs.push(resolve(dirname(process.env.npm_execpath), '..'));
  npmDirs.push(resolve(dirname(process.execPath), '../lib/node_modules/npm'));
  for (const paths of [[root], ...npmDirs.map((d) => [d])]) {
    try {
      return createRequire(join(paths[0], 'noop.js')).resolve('node-gyp/bin/node-gyp.js');
    } catch {
      // Not there; try the next place.
    }
  }
  return null;
}

/**
 * Copies `name` into outRoot/<name>/ and builds it there against Electron's headers; false (with a
 * note) when that failed. `gyp` overrides the target for tests (Node's own headers, no download).
 */
export function buildNative(
  name,
  version,
  arch,
  outRoot,
  gyp = { target: version, distUrl: 'https://electronjs.org/headers' },
) {
  let src;
  try {
    src = dirname(require.resolve(`${name}/package.json`));
  } catch {
    say(`${name} is not installed; skipping its Electron build`);
    return false;
  }
  const pkgVersion = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8')).version;
  const stamp = JSON.stringify({ electron: version, arch, platform: process.platform, [name]: pkgVersion });
  const dest = join(outRoot, name);
  const stampFile = join(dest, '.glasspane-build.json');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return true;

  const gypScript = nodeGypScript();
  if (!gypScript) {
    say(`cannot build ${name} for Electron: node-gyp was not found (it ships with npm)`);
    return false;
  }
  // Built beside its final place (same depth, so build-time requires such as nan resolve the same way)
  // and renamed in only when complete: a half-built copy must never be found by the loader.
  const work = join(outRoot, `.${name}.building-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(outRoot, { recursive: true });
  cpSync(src, work, {
    recursive: true,
    filter: (p) => {
      const rel = relative(src, p).split(/[\\/]/)[0];
      return rel !== 'build' && rel !== 'prebuilds' && rel !== 'node_modules';
    },
  });
  say(`building ${name} ${pkgVersion} for Electron ${version} (${arch}) in ${relative(root, dest)}…`);
  const args = [gypScript, 'rebuild', '--release', `--target=${gyp.target}`, `--arch=${arch}`];
  if (gyp.distUrl) args.push(`--dist-url=${gyp.distUrl}`);
  if (gyp.nodedir) args.push(`--nodedir=${gyp.nodedir}`);
  const r = spawnSync(process.execPath, args, {
    cwd: work,
    env: gypEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: GYP_TIMEOUT_MS,
  });
  if (r.status !== 0 || r.error) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n    ');
    say(`could not build ${name} for Electron ${version}; the app starts without it.\n    ${tail}`);
    rmSync(work, { recursive: true, force: true });
    return false;
  }
  writeFileSync(join(work, '.glasspane-build.json'), stamp);
  rmSync(dest, { recursive: true, force: true });
  renameSync(work, dest);
  return true;
}

// ---- 4. run ---------------------------------------------------------------------------------------

function run(electron) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(electron, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('error', (e) => {
    console.error(`Glasspane: could not start Electron (${e.message}).`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function main() {
  let electron = findElectron();
  if (!electron) {
    const failure = installElectron();
    electron = findElectron();
    if (!electron) {
      explainMissingElectron(failure ?? 'the installer finished but no binary appeared');
      if (!buildIfNeeded()) {
        console.error('Glasspane: the build failed (see above).');
        process.exit(1);
      }
      runWebConsole(process.argv.slice(2));
      return;
    }
  }
  if (!buildIfNeeded()) {
    console.error('Glasspane: the build failed (see above).');
    process.exit(1);
  }
  const version = electronVersion();
  const outRoot = join(root, '.native', `electron-${version}`);
  for (const name of NATIVE_MODULES) buildNative(name, version, process.arch, outRoot);
  run(electron);
}

// Run only as a script; tests import buildNative.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error(`Glasspane: npm start failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
