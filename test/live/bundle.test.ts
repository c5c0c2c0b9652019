// The helper as the build ships it: bundled by esbuild to dist/capture-process.cjs, run by plain node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { startLiveCapture } from '../../src-main/capture/live/live-source';
import { createLab, labUnavailable, sendUdp, waitFor, type Lab } from './lab';

const skip = labUnavailable();
const repo = resolve(import.meta.dirname, '../..');

describe('bundled helper', { skip: skip ?? false }, () => {
  let lab: Lab;
  let dir: string;
  before(() => {
    lab = createLab('bnd');
    // A stand-in for the repo: package.json, node_modules (for cap) and dist/.
    dir = mkdtempSync(join(tmpdir(), 'gp-bundle-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'glasspane' }));
    symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
    mkdirSync(join(dir, 'dist'));
    buildSync({
      entryPoints: [join(repo, 'src-main/capture/live/capture-process.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['cap'],
      outfile: join(dir, 'dist', 'capture-process.cjs'),
      logLevel: 'silent',
    });
  });
  after(() => {
    lab?.cleanup();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('dist/capture-process.cjs captures real traffic', async () => {
    const payloads: string[] = [];
    const cap = startLiveCapture(
      {
        interfaces: [lab.ifA],
        wrap: lab.wrapA,
        filter: 'udp and dst port 40020',
        helper: { command: process.execPath, args: [join(dir, 'dist', 'capture-process.cjs')] },
      },
      (b) => payloads.push(b.toString('latin1', 42)),
    );
    const r = await cap.started;
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    sendUdp(lab.nsB, lab.ipA, 40020, 4, 'bundled');
    await waitFor(() => payloads.length >= 4);
    assert.equal((await cap.stop()).code, 0);
    assert.deepEqual(payloads, ['bundled', 'bundled', 'bundled', 'bundled']);
  });
});
