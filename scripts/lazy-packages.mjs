// An esbuild plugin that evaluates some packages on first use instead of when a bundle starts.
//
// A CommonJS bundle evaluates every module imported statically as it starts, used or not; a module
// reached only through require() is evaluated when first required. Sources are ES modules and
// dissectors, rule loading and the rest are synchronous, so they cannot `await import()` what they
// rarely need. The plugin puts a stand-in in front of each package listed: a CommonJS module with
// one getter per export of the package, which requires the package on its first call and returns
// the package's own value (the same function, class or object: identity and properties kept).
// esbuild reads an imported name of a CommonJS module at each use (`(0, import_x.name)(...)`), so
// nothing is evaluated until a name is used.
import * as esbuild from 'esbuild';
import { createRequire, isBuiltin } from 'node:module';

/**
 * What an analysis rarely uses and pays for at start-up (measured on the built CLI with its code
 * cache: a bundle of the one package, run 15 times, median over an empty bundle).
 */
export const LAZY_PACKAGES = [
  // 5.8 ms: AES builds its T-tables when loaded (genTtable); only QUIC Initial packets use it.
  '@noble/ciphers/aes.js',
  // 5.7 ms: the rule schema's validator; with the rules cache (dist/.rules-cache.*.json) valid an
  // analysis validates nothing. The commands that check IPC or sensor messages load it as they start.
  'zod',
  // 0.9 ms: YAML rule files are parsed only when the rules cache is stale.
  'yaml',
  // 1.2 ms (in-process, after node:stream): commander requires it as it loads, for subcommands that
  // are executables of their own, which glasspane has none of; live capture spawns its helper later.
  'node:child_process',
  // 0.8 ms: what reads and writes files asynchronously (capture files, --out); --version, --help and
  // the commands that never read a file do without it.
  'node:fs/promises',
];

/**
 * The names a module exports: an ES module's from esbuild's own reading of it (nothing of it is
 * run); a CommonJS one's (yaml) and a built-in's have no static form, so it is loaded here to list
 * them.
 */
async function exportsOf(path) {
  if (isBuiltin(path)) return Object.keys(createRequire(import.meta.url)(path));
  const r = await esbuild.build({
    entryPoints: [path],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    metafile: true,
    logLevel: 'silent',
  });
  const out = Object.values(r.metafile.outputs)[0];
  const names =
    r.metafile.inputs[out.entryPoint].format === 'cjs' ? Object.keys(createRequire(path)(path)) : out.exports;
  if (names.length === 0) throw new Error(`lazy-packages: ${path} exports nothing`);
  return names;
}

/** The stand-in for the module at `path` (absolute), exporting `names`. */
function standIn(path, names) {
  const getters = names.map((n) => `  get ${JSON.stringify(n)}() { return load()[${JSON.stringify(n)}]; },`);
  return [
    `let m;`,
    `const load = () => (m ??= require(${JSON.stringify(path)}));`,
    `module.exports = {`,
    ...getters,
    `};`,
  ].join('\n');
}

/** The plugin, for `packages` (bare import specifiers, matched exactly). */
export function lazyPackages(packages = LAZY_PACKAGES) {
  const wanted = new Set(packages);
  const filter = new RegExp(
    `^(${packages.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`,
  );
  return {
    name: 'lazy-packages',
    setup(build) {
      const ns = 'lazy-package';
      build.onResolve({ filter }, async (args) => {
        // The stand-in's own require goes to the package itself.
        if (args.namespace === ns || !wanted.has(args.path)) return undefined;
        const real = await build.resolve(args.path, {
          kind: 'import-statement',
          resolveDir: args.resolveDir,
          importer: args.importer,
          namespace: ns,
        });
        if (real.errors.length > 0) return { errors: real.errors };
        // A built-in stays external: the stand-in's require is left to Node.
        // A path of its own that names CommonJS: esbuild decides a module's kind by its path, and the
        // package's own (.mjs, or .js under "type": "module") would make the stand-in an ES module.
        return { path: `${real.path}.lazy.cjs`, namespace: ns, pluginData: real.path };
      });
      build.onLoad({ filter: /.*/, namespace: ns }, async (args) => ({
        contents: standIn(args.pluginData, await exportsOf(args.pluginData)),
        loader: 'js',
        resolveDir: '/',
      }));
    },
  };
}
