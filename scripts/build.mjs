// Bundles everything that runs outside `tsx`: the Electron main and preload, the CLI, the capture
// process, and the renderer (for Electron and the browser console alike). Run by `npm run build` and
// by npm's `prepare` on `npm ci`.
//
//   node scripts/build.mjs            production: minified; source maps for the Node bundles only
//   node scripts/build.mjs --dev      unminified, with source maps for everything
//   node scripts/build.mjs --watch    dev build, rebuilt on change
//   node scripts/build.mjs --out=DIR  write to DIR instead of dist/ (tests build into a temp folder)
//   node scripts/build.mjs --only=renderer   build the renderer alone
//
// Entries whose source does not exist yet are skipped with a note, so the build never blocks on
// parts still being written.
import * as esbuild from 'esbuild';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// The native capture helper (C, libpcap): its own script, skipped without cc or pcap.h.
import { buildCaptureHelperStep } from './build-capture-helper.mjs';
// Packages the analysis bundles evaluate on first use rather than at start (see the file).
import { lazyPackages } from './lazy-packages.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const args = new Set(argv);
const option = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const watch = args.has('--watch');
const dev = watch || args.has('--dev');
const dist = resolve(root, option('out') ?? 'dist');
const only = option('only');

// Native addons and Electron itself are loaded at run time, never bundled. ws's optional speedups
// are native too, and fsevents only exists on macOS.
const external = [
  'electron',
  'cap',
  'better-sqlite3',
  'playwright-core',
  'bufferutil',
  'utf-8-validate',
  'fsevents',
  '*.node',
];

// Sources are ES modules; the bundles are CommonJS. import.meta.url has no CJS equivalent, so it is
// rebuilt from __filename in a banner.
const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external,
  sourcemap: true,
  minify: !dev,
  legalComments: 'linked',
  logLevel: 'warning',
  define: { 'import.meta.url': '__glasspane_import_meta_url' },
  banner: { js: "const __glasspane_import_meta_url = require('url').pathToFileURL(__filename).href;" },
};

const nodeEntries = [
  { src: 'src-main/electron/main.ts', out: 'electron/main.cjs' },
  // The engine's utility process (utilityProcess.fork from main).
  { src: 'src-main/electron/engine-entry.ts', out: 'electron/engine.cjs' },
  // Runs sandboxed: it may only require 'electron' and a few built-ins, so everything else is bundled.
  { src: 'src-main/electron/preload.ts', out: 'electron/preload.cjs', extra: { target: 'chrome120' } },
  // Every command and every analysis pays the command line's start-up: what it rarely uses loads late.
  { src: 'src-main/cli/glasspane.ts', out: 'cli.cjs', extra: { plugins: [lazyPackages()] } },
  { src: 'src-main/capture/live/capture-process.ts', out: 'capture-process.cjs' },
  // An analysis thread of `analyze --threads N` (worker_threads, beside cli.cjs).
  {
    src: 'src-main/engine/threads/analyze-worker.ts',
    out: 'analyze-worker.cjs',
    extra: { plugins: [lazyPackages()] },
  },
];

const rendererSrc = 'src-renderer/main.tsx';

function configs() {
  const out = [];
  for (const e of only === 'renderer' ? [] : nodeEntries) {
    if (!existsSync(join(root, e.src))) {
      console.log(`build: skipping ${e.src} (not written yet)`);
      continue;
    }
    out.push({
      name: e.src,
      options: { ...nodeCommon, ...e.extra, entryPoints: [join(root, e.src)], outfile: join(dist, e.out) },
    });
  }
  out.push({
    name: rendererSrc,
    options: {
      entryPoints: { main: join(root, rendererSrc) },
      outdir: join(dist, 'renderer'),
      bundle: true,
      platform: 'browser',
      // iife, not an ES module: module scripts do not load from file:// in Electron.
      format: 'iife',
      target: ['chrome120', 'firefox120', 'safari16'],
      jsx: 'automatic',
      loader: { '.css': 'css' },
      // The renderer is also served over the network by `glasspane serve`: no maps in production.
      sourcemap: dev,
      minify: !dev,
      legalComments: 'linked',
      logLevel: 'warning',
      define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
    },
  });
  return out;
}

function copyHtml() {
  mkdirSync(join(dist, 'renderer'), { recursive: true });
  copyFileSync(join(root, 'src-renderer/index.html'), join(dist, 'renderer/index.html'));
  // The page's icon (index.html links it), so a browser never asks for a /favicon.ico that is not there.
  copyFileSync(join(root, 'assets/icons/icon.svg'), join(dist, 'renderer/icon.svg'));
}

/**
 * The IEEE registry from `oui-data` as sorted `PREFIX<TAB>organisation` lines (dist/oui.tsv): the
 * package's JSON holds whole postal addresses, 5.6 MB that every run parsed for a few hundred names.
 * The first line names the package version, so src-main/engine/oui.ts falls back to the JSON when the
 * two disagree (a dependency update without a rebuild), and where its package.json is (from the
 * package root), so that check reads one file instead of resolving the package.
 */
function writeOuiIndex() {
  const req = createRequire(import.meta.url);
  // The package exports only its JSON; its package.json sits beside it.
  const pkg = join(dirname(req.resolve('oui-data')), 'package.json');
  const version = JSON.parse(readFileSync(pkg, 'utf8')).version;
  const where = relative(root, pkg).split('\\').join('/');
  const table = req('oui-data');
  const lines = Object.keys(table)
    .sort()
    .map((k) => `${k}\t${table[k].split('\n', 1)[0].replace(/\t/g, ' ')}`);
  mkdirSync(dist, { recursive: true });
  const tmp = join(dist, 'oui.tsv.tmp');
  writeFileSync(tmp, `# oui-data ${version} ${where}\n${lines.join('\n')}\n`);
  renameSync(tmp, join(dist, 'oui.tsv'));
}

function size(p) {
  try {
    return `${(statSync(p).size / 1024).toFixed(0)} KiB`;
  } catch {
    return '?';
  }
}

async function main() {
  const started = Date.now();
  const list = configs();
  if (watch) {
    copyHtml();
    for (const c of list) {
      const ctx = await esbuild.context(c.options);
      await ctx.watch();
    }
    console.log('build: watching for changes (Ctrl+C to stop)');
    return;
  }
  await Promise.all(list.map((c) => esbuild.build(c.options)));
  copyHtml();
  if (only !== 'renderer') writeOuiIndex();
  const outputs = list.map((c) => c.options.outfile ?? join(c.options.outdir, 'main.js'));
  const summary = outputs.map((o) => `${relative(root, o)} (${size(o)})`).join(', ');
  console.log(`build: ${dev ? 'dev' : 'production'} in ${Date.now() - started} ms: ${summary}`);
  if (only !== 'renderer') buildCaptureHelperStep(dist);
}

main().catch((e) => {
  // esbuild has already printed the located errors; a stack trace would add nothing.
  console.error(`build: failed${e?.errors?.length ? '' : `: ${e?.message ?? e}`}`);
  process.exit(1);
});
