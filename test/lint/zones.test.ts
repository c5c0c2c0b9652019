/**
 * The layer zones in eslint.config.js, through ESLint's own API and the repository's config: each
 * zone rejects an import across its boundary (with its own message) and lets an allowed one through.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

/** The no-restricted-imports messages for one import written in a (virtual) file at `filePath`. */
async function zoneErrors(filePath: string, spec: string): Promise<string[]> {
  const code = `import { thing } from '${spec}';\nexport const used = thing;\n`;
  const [r] = await eslint.lintText(code, { filePath });
  assert.ok(r, 'ESLint returned no result');
  // A parse failure would hide every rule: fail on it rather than pass on silence.
  assert.deepEqual(
    r.messages.filter((m) => m.fatal),
    [],
  );
  return r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

async function rejects(filePath: string, spec: string, says: string): Promise<void> {
  const errors = await zoneErrors(filePath, spec);
  assert.equal(
    errors.length,
    1,
    `${filePath} importing ${spec}: expected one zone error, got ${errors.length}`,
  );
  assert.match(errors[0]!, new RegExp(says), `${filePath} importing ${spec}`);
}

async function allows(filePath: string, spec: string): Promise<void> {
  assert.deepEqual(await zoneErrors(filePath, spec), [], `${filePath} importing ${spec}`);
}

test('src-renderer may not import src-main', async () => {
  await rejects('src-renderer/graph/zone-probe.ts', '../../src-main/engine/engine', 'src-renderer may not');
  await rejects('src-renderer/zone-probe.tsx', '../src-main/ipc/engine-api', 'src-renderer may not');
  await allows('src-renderer/graph/zone-probe.ts', '../../shared/ipc/contract');
  await allows('src-renderer/graph/zone-probe.ts', '../store/store');
});

test('shared/protocols and shared/decode may not import classify, the inventory or the engine', async () => {
  const says = 'sit below classify';
  await rejects('shared/protocols/it/zone-probe.ts', '../../inventory/inventory', says);
  await rejects('shared/protocols/ot/zone-probe.ts', '../../classify', says);
  await rejects('shared/protocols/zone-probe.ts', '../engine/analyzer', says);
  await rejects('shared/decode/zone-probe.ts', '../classify/taxonomy', says);
  await rejects('shared/decode/layers/zone-probe.ts', '../../inventory/changes', says);
  await rejects(
    'shared/decode/layers/zone-probe.ts',
    '../../../src-main/engine/engine',
    'may not import src-main',
  );
  await allows('shared/protocols/it/zone-probe.ts', '../../decode/window');
  await allows('shared/protocols/it/zone-probe.ts', '../../model/observation');
  await allows('shared/decode/zone-probe.ts', './packet');
  // The restriction is for the lower layers only: classify reads the inventory.
  await allows('shared/classify/zone-probe.ts', '../inventory/inventory');
});

test('shared/inventory may not import the engine', async () => {
  await rejects('shared/inventory/zone-probe.ts', '../engine/analyzer', 'sits below the engine');
  await allows('shared/inventory/zone-probe.ts', '../classify');
  await allows('shared/inventory/zone-probe.ts', '../model/inventory');
  // The engine itself reads the inventory.
  await allows('shared/engine/zone-probe.ts', '../inventory/inventory');
});

test('type-only imports count: the zones are about dependencies, not emitted code', async () => {
  const [r] = await eslint.lintText(
    "import type { Analyzer } from '../engine/analyzer';\nexport type A = Analyzer;\n",
    {
      filePath: 'shared/inventory/zone-probe.ts',
    },
  );
  assert.equal(r!.messages.filter((m) => m.ruleId === 'no-restricted-imports').length, 1);
});

test('shared/ may not import src-main, src-renderer or Node', async () => {
  await rejects(
    'shared/model/zone-probe.ts',
    '../../src-main/store/db',
    'may not import src-main or src-renderer',
  );
  await rejects(
    'shared/ipc/zone-probe.ts',
    '../../src-renderer/store/store',
    'may not import src-main or src-renderer',
  );
  await rejects('shared/util/zone-probe.ts', 'node:fs', 'pure TypeScript');
  await rejects('shared/inventory/zone-probe.ts', 'node:crypto', 'pure TypeScript');
  await rejects('shared/protocols/it/zone-probe.ts', 'node:buffer', 'pure TypeScript');
  await allows('shared/ipc/zone-probe.ts', 'zod');
  await allows('shared/model/zone-probe.ts', './observation');
  // Node is for the hosts: src-main may use it.
  await allows('src-main/engine/zone-probe.ts', 'node:fs');
});

test('the files that crossed a zone before pass now', async () => {
  const results = await eslint.lintFiles(['shared/inventory/changes.ts']);
  assert.equal(results.length, 1);
  assert.deepEqual(
    results[0]!.messages.map((m) => m.message),
    [],
  );
});
