import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ouiSource, vendorOf } from '../../src-main/engine/oui';
import { repoRoot } from '../../src-main/native/load-native';

const registry = createRequire(import.meta.url)('oui-data') as Record<string, string>;

function macOf(prefix: string): number {
  return parseInt(prefix.padEnd(12, '0'), 16);
}

/** The registry's own answer, read straight from the package: the longest registered prefix. */
function expected(prefix: string): string | null {
  const hex = prefix.padEnd(12, '0');
  const raw = registry[hex.slice(0, 9)] ?? registry[hex.slice(0, 7)] ?? registry[hex.slice(0, 6)];
  return raw === undefined
    ? null
    : raw
        .split('\n', 1)[0]!
        .trim()
        .replace(/[\s,]+$/, '') || null;
}

test('the vendor of every registry block size comes out as the IEEE registry names it', () => {
  const keys = Object.keys(registry);
  // MA-L (6 hex digits), MA-M (7) and MA-S (9): a sample of each, spread over the registry.
  for (const len of [6, 7, 9]) {
    const some = keys.filter((k) => k.length === len);
    assert.ok(some.length > 100, `registry has ${len}-digit prefixes`);
    for (let i = 0; i < some.length; i += Math.floor(some.length / 50)) {
      const k = some[i]!;
      assert.equal(vendorOf(macOf(k)), expected(k), k);
    }
  }
});

test('every registered prefix, and the prefix just before and after it, resolve as the registry says', () => {
  // The lookup binary-searches the index's bytes: the first and last lines and the neighbours of
  // every key are where an off-by-one would show.
  let checked = 0;
  for (const k of Object.keys(registry)) {
    const n = parseInt(k, 16);
    for (const v of [n - 1, n, n + 1]) {
      if (v < 0 || v >= 16 ** k.length) continue;
      const p = v.toString(16).toUpperCase().padStart(k.length, '0');
      assert.equal(vendorOf(macOf(p)), expected(p), p);
      checked++;
    }
  }
  assert.ok(checked > 3 * 30000, `${checked} prefixes checked`);
});

test('a longer registered prefix wins over the block it sits in, and unknown prefixes have no vendor', () => {
  const k9 = Object.keys(registry).find((k) => k.length === 9 && registry[k.slice(0, 6)] !== undefined);
  assert.ok(k9, 'an MA-S block inside an MA-L block');
  assert.notEqual(expected(k9), expected(k9.slice(0, 6) + 'FFF'), 'the block and the sub-block differ');
  assert.equal(vendorOf(macOf(k9)), expected(k9));
  assert.equal(vendorOf(-1), null);
  // Locally administered prefixes are never in the registry.
  assert.equal(vendorOf(0x02deadbeef01), null);
});

test('the build writes the registry index for the installed oui-data, and lookups use all of it', (t) => {
  const index = join(repoRoot()!, 'dist', 'oui.tsv');
  if (!existsSync(index)) return t.skip('not built (npm run build writes dist/oui.tsv)');
  const lines = readFileSync(index, 'utf8').split('\n');
  // The version, and where the build found the package's package.json (read to check the version).
  const head = /^# oui-data (\d+\.\d+\.\d+) (\S+\/package\.json)$/.exec(lines[0]!);
  assert.ok(head, lines[0]);
  const pkg = JSON.parse(readFileSync(join(repoRoot()!, head[2]!), 'utf8')) as {
    name: string;
    version: string;
  };
  assert.deepEqual([pkg.name, pkg.version], ['oui-data', head[1]]);
  assert.equal(lines.filter((l) => l.includes('\t')).length, Object.keys(registry).length);
  assert.equal(ouiSource().entries, Object.keys(registry).length);
});

test('MACs under one OUI, asked again and again, resolve as the registry says, split into blocks or not', () => {
  // vendorOf remembers an OUI's vendor when no MA-M or MA-S block splits it: every MAC under a split
  // OUI must still find its block, and every other MAC the OUI's vendor, on the first ask and after.
  const keys = Object.keys(registry);
  const split = new Set(keys.filter((k) => k.length > 6).map((k) => k.slice(0, 6)));
  const unsplit = keys.filter((k) => k.length === 6 && !split.has(k)).slice(0, 200);
  assert.ok(split.size > 50 && unsplit.length === 200);
  let n = 0;
  for (const oui of [...split, ...unsplit])
    for (let round = 0; round < 2; round++)
      for (const rest of ['000000', '7FFFFF', '800000', 'FFFFFF', '0FFFFF', 'F00000']) {
        const p = oui + rest;
        assert.equal(vendorOf(macOf(p)), expected(p), p);
        n++;
      }
  assert.ok(n > 1000, `${n} lookups`);
});
