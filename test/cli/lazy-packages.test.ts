/**
 * The build's lazy-packages plugin (scripts/lazy-packages.mjs): a package it fronts is evaluated on
 * the first use of one of its names, not when the bundle starts, and what the importer gets is the
 * package's own value. Then the built command line on what needs those packages: QUIC Initial
 * decryption (AES) and rule files read without the rules cache (YAML, the zod schema).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
// @ts-expect-error: a build script, plain JavaScript without declarations
import { lazyPackages } from '../../scripts/lazy-packages.mjs';

const root = resolve(import.meta.dirname, '../..');

test('a fronted package runs on the first use of one of its names, and gives its own values', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gp-lazy-'));
  try {
    // An ES module and a CommonJS one that say when they run.
    writeFileSync(
      join(dir, 'esm.mjs'),
      'globalThis.ran = [...(globalThis.ran ?? []), "esm"];\n' +
        'export const box = { n: 1 };\nexport function isBox(x) { return x === box; }\n' +
        'isBox.arity = 1;\nexport class Thing { constructor(v) { this.v = v; } }\nexport default "dflt";\n',
    );
    writeFileSync(
      join(dir, 'cjs.cjs'),
      'globalThis.ran = [...(globalThis.ran ?? []), "cjs"];\nexports.twice = (x) => 2 * x;\n',
    );
    writeFileSync(
      join(dir, 'entry.ts'),
      'import { box, isBox, Thing } from "./esm.mjs";\nimport * as esm from "./esm.mjs";\n' +
        'import { twice } from "./cjs.cjs";\nimport { execFileSync } from "node:child_process";\n' +
        'const builtinAtStart = process.moduleLoadList.includes("NativeModule child_process");\n' +
        'const g = globalThis as { ran?: string[] };\n' +
        'const atStart = [...(g.ran ?? [])];\n' +
        'const sameBox = isBox(box);\n' +
        'const afterEsm = [...(g.ran ?? [])];\n' +
        'const out = { atStart, afterEsm, sameBox, arity: (isBox as unknown as { arity: number }).arity,\n' +
        '  thing: new Thing(3) instanceof esm.Thing && new Thing(3).v === 3, n: box.n, twice: twice(21),\n' +
        '  after: g.ran, builtinAtStart,\n' +
        '  child: execFileSync(process.execPath, ["-e", "process.stdout.write(\'hi\')"], { encoding: "utf8" }) };\n' +
        'process.stdout.write(JSON.stringify(out));\n',
    );
    const bundle = async (plugins: unknown[]) => {
      const outfile = join(dir, `out-${plugins.length}.cjs`);
      await build({
        entryPoints: [join(dir, 'entry.ts')],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        outfile,
        logLevel: 'silent',
        plugins: plugins as never,
      });
      const r = spawnSync(process.execPath, [outfile], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const lazy = await bundle([lazyPackages(['./esm.mjs', './cjs.cjs', 'node:child_process'])]);
    assert.deepEqual(lazy.atStart, [], 'nothing ran as the bundle started');
    assert.deepEqual(lazy.afterEsm, ['esm'], 'the first name used ran its module, and only it');
    assert.deepEqual(lazy.after, ['esm', 'cjs']);
    assert.equal(lazy.sameBox, true, 'the same object, not a copy');
    assert.equal(lazy.arity, 1, "a function's own properties");
    assert.equal(lazy.thing, true, 'classes construct and are the same class');
    assert.equal(lazy.n, 1);
    assert.equal(lazy.twice, 42);
    assert.equal(lazy.builtinAtStart, false, 'a built-in too');
    assert.equal(lazy.child, 'hi');
    // What esbuild does without the plugin: both run before the entry's first line.
    const eager = await bundle([]);
    assert.deepEqual(eager.atStart, ['esm', 'cjs']);
    assert.equal(eager.builtinAtStart, true);
    assert.equal(eager.sameBox, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const cli = join(root, 'bin', 'glasspane.cjs');
const pcaps = resolve(root, '..', 'shared', 'pcaps');

function builtCli(): void {
  if (existsSync(join(root, 'dist', 'cli.cjs'))) return;
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(b.status, 0, b.stderr);
}

test('the built command line loads no process or network modules, and no asynchronous file module for --version', (t) => {
  const capture = join(pcaps, 'fuzz-nbns__tcpdump__nbns-valgrind.pcap');
  if (!existsSync(capture)) return t.skip('corpus capture missing');
  builtCli();
  const dir = mkdtempSync(join(tmpdir(), 'gp-lazy-builtins-'));
  try {
    // Writes the built-in modules the process loaded as it exits.
    writeFileSync(
      join(dir, 'list.cjs'),
      'process.on("exit", () => require("fs").writeSync(2, "\\n@@" + JSON.stringify(process.moduleLoadList)));\n',
    );
    const loaded = (...args: string[]) => {
      const r = spawnSync(process.execPath, ['-r', join(dir, 'list.cjs'), cli, ...args], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stderr.slice(r.stderr.lastIndexOf('@@') + 2)) as string[];
    };
    const version = loaded('--version');
    const analysis = loaded('analyze', capture, '--format', 'json', '--no-progress');
    // What reads files asynchronously, only where a file is read.
    assert.ok(!version.includes('NativeModule fs/promises'), 'fs/promises loaded for --version');
    assert.ok(analysis.includes('NativeModule fs/promises'));
    for (const run of [version, analysis]) {
      assert.ok(run.includes('NativeModule fs'), 'the list is read');
      // (net is loaded anyway where standard output is a pipe or a terminal.)
      for (const m of ['child_process', 'dgram'])
        assert.ok(!run.includes(`NativeModule ${m}`), `${m} loaded`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the built command line decrypts QUIC Initial packets (AES, loaded on first use)', (t) => {
  const capture = join(pcaps, 'pcapng-multi-if__ndpi__sites.pcapng');
  if (!existsSync(capture)) return t.skip('corpus capture missing');
  builtCli();
  const r = spawnSync(
    process.execPath,
    [cli, 'analyze', capture, '--format', 'json', '--evidence', '--no-progress'],
    {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  // The server name is inside the encrypted Initial packet: read only once AES has decrypted it.
  const quic = (
    JSON.parse(r.stdout) as { devices: { evidence?: { protocol: string; field: string }[] }[] }
  ).devices
    .flatMap((d) => d.evidence ?? [])
    .filter((e) => e.protocol === 'quic' && e.field === 'sni');
  assert.ok(quic.length > 0, 'QUIC evidence found');
});

test('the built command line reads and validates rule files without the cache (YAML, zod)', () => {
  builtCli();
  const dir = mkdtempSync(join(tmpdir(), 'gp-lazy-rules-'));
  try {
    // A folder other than the installation's rules: no cache is kept for it, every run parses it.
    cpSync(join(root, 'assets', 'rules'), join(dir, 'rules'), { recursive: true });
    const check = () =>
      spawnSync(process.execPath, [cli, 'rules', 'check', '--dir', join(dir, 'rules')], { encoding: 'utf8' });
    const good = check();
    assert.equal(good.status, 0, good.stderr);
    // A rule the schema refuses: zod's message, through the command line.
    writeFileSync(
      join(dir, 'rules', 'zz-bad.yaml'),
      'family: bad\nrules:\n  - id: Bad-Id\n    description: x\n    source: x\n    confidence: 2\n    match: { oui: x }\n    yield: { vendor: x }\n',
    );
    const bad = check();
    assert.notEqual(bad.status, 0);
    assert.match(bad.stdout + bad.stderr, /zz-bad\.yaml: rule Bad-Id/);
    assert.match(bad.stdout + bad.stderr, /ids are lower-case words/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
