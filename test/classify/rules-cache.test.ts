/**
 * The validated-rules cache as the build ships it: the command line and its analysis threads are two
 * bundles, and each keeps its own cache. With one shared file each bundle overwrote the other's, so
 * every analysis after a `--threads` run parsed and validated the YAML again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const repo = resolve(import.meta.dirname, '../..');

test('two bundles loading the rules each keep their own cache, and a warm one is not written again', () => {
  // A stand-in for an installation: package.json (repoRoot finds it), the rules and dist/ with two bundles.
  const dir = mkdtempSync(join(tmpdir(), 'gp-rules-cache-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'glasspane' }));
    mkdirSync(join(dir, 'assets'));
    symlinkSync(join(repo, 'assets', 'rules'), join(dir, 'assets', 'rules'));
    mkdirSync(join(dir, 'dist'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { readRules } from ${JSON.stringify(join(repo, 'src-main', 'classify', 'load.ts'))};\n` +
        'const r = readRules();\nprocess.stdout.write(String(r.rules.length) + " " + r.errors.length);\n',
    );
    for (const name of ['cli.cjs', 'analyze-worker.cjs'])
      buildSync({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        outfile: join(dir, 'dist', name),
        define: { 'import.meta.url': '__url' },
        banner: { js: "const __url = require('url').pathToFileURL(__filename).href;" },
        logLevel: 'silent',
      });
    const run = (name: string) => {
      const env = { ...process.env };
      delete env.GLASSPANE_RULES_DIR;
      const r = spawnSync(process.execPath, [join(dir, 'dist', name)], { encoding: 'utf8', env });
      assert.equal(r.status, 0, r.stderr);
      const [rules, errors] = r.stdout.split(' ').map(Number);
      assert.ok(rules! > 100, `${name} compiled ${rules} rules`);
      assert.equal(errors, 0);
    };
    const caches = () =>
      Object.fromEntries(
        readdirSync(join(dir, 'dist'))
          .filter((f) => f.startsWith('.rules-cache'))
          .map((f) => [f, statSync(join(dir, 'dist', f)).mtimeMs]),
      );
    run('cli.cjs');
    run('analyze-worker.cjs');
    const first = caches();
    assert.deepEqual(Object.keys(first).sort(), [
      '.rules-cache.analyze-worker.cjs.json',
      '.rules-cache.cli.cjs.json',
    ]);
    // Alternate as `analyze` and `analyze --threads 2` do: every cache is read, none is written again.
    run('cli.cjs');
    run('analyze-worker.cjs');
    run('cli.cjs');
    assert.deepEqual(caches(), first);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
