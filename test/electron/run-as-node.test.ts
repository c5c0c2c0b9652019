/**
 * The packaged app's RunAsNode fuse is off (electron-builder.yml): Electron ignores
 * ELECTRON_RUN_AS_NODE, so nothing of ours may depend on it. The Node capture helper runs as a
 * utility process instead (src-main/capture/live/helper-relay.ts). The one use left is the start
 * script removing it from Electron's environment, so that a stray value cannot turn dev Electron into node.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers/paths';

const ROOTS = [
  'src-main',
  'shared',
  'src-renderer',
  'scripts',
  'bin',
  'assets',
  'electron-builder.yml',
  'package.json',
];
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs|c|h|sh|json|yml|yaml)$/;
/** Lines that only talk about it. */
const COMMENT = /^\s*(\/\/|\/?\*|#)/;
const ALLOWED = new Map([['scripts/start.mjs', /^\s*delete env\.ELECTRON_RUN_AS_NODE;$/]]);

function files(p: string, out: string[]): string[] {
  const st = statSync(p, { throwIfNoEntry: false });
  if (st === undefined) return out;
  if (st.isFile()) {
    if (SOURCE.test(p)) out.push(p);
  } else if (st.isDirectory()) {
    for (const e of readdirSync(p)) if (e !== 'node_modules') files(join(p, e), out);
  }
  return out;
}

test('no source sets ELECTRON_RUN_AS_NODE (the start script only removes it)', () => {
  const all = ROOTS.flatMap((r) => files(join(repoRoot, r), []));
  assert.ok(all.length > 100, `sources found: ${all.length}`);
  const uses: string[] = [];
  let allowed = 0;
  for (const f of all) {
    const rel = relative(repoRoot, f);
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.includes('ELECTRON_RUN_AS_NODE') || COMMENT.test(line)) return;
        if (ALLOWED.get(rel)?.test(line) === true) allowed++;
        else uses.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(uses, []);
  assert.equal(allowed, 1, 'the start script still removes it from dev Electron’s environment');
});
