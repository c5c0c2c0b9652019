/**
 * openCapture from a UI: a FIFO (or anything else that is not a regular file) is refused at once,
 * without hanging the engine and without dropping the inventory it holds; `serve --capture-dir`
 * confines opens to one folder, through '..' and symlinks alike.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseCallResult } from '../../shared/ipc/contract';
import { readCaptureFile } from '../../src-main/capture/file-source';
import { demoCapturePath } from '../../src-main/demo/demo-path';
import { NET } from '../../src-main/demo/network';
import { createEngine } from '../../src-main/engine/engine';
import { createDispatcher } from '../../src-main/ipc/dispatch';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { startServe } from './helpers/serve-process';
import { waitForCaptureState, WsClient } from './helpers/ws-client';

const tmp = mkdtempSync(join(tmpdir(), 'gp-open-'));
process.env.GLASSPANE_CACHE_DIR = join(tmp, 'cache');
const fifo = join(tmp, 'capture.fifo');
assert.equal(spawnSync('mkfifo', [fifo]).status, 0);

after(() => rmSync(tmp, { recursive: true, force: true }));

/** Rejects if `p` takes longer than `ms`: a FIFO open that blocks would. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref()),
  ]);
}

test('openCapture refuses a FIFO at once and keeps the inventory it has', async () => {
  const engine = createEngine({ hub: createEventHub(), collectMs: 50, log: () => {} });
  const dispatch = createDispatcher(engine, () => {});
  try {
    const demo = await demoCapturePath();
    assert.equal((await dispatch('openCapture', { paths: [demo] })).ok, true);
    await engine.idle;
    const before = engine.analyzer.inventory.size;
    assert.ok(before > 5, 'the demo capture has devices');

    const r = parseCallResult('openCapture', await within(dispatch('openCapture', { paths: [fifo] }), 5000));
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.error, {
      code: 'bad-request',
      message: `${fifo} is not a regular file (a FIFO): open a saved capture file (pcap or pcapng)`,
    });
    // Nothing was let go: same run, same devices, and the engine still answers.
    assert.equal(engine.analyzer.inventory.size, before);
    assert.equal(engine.status.state, 'finished');
    const snap = parseCallResult('getSnapshot', await dispatch('getSnapshot', {}));
    assert.ok(snap.ok && snap.value.devices.some((d) => d.mac === NET.plc1.mac));
  } finally {
    await engine.close();
  }
});

test('the reader itself opens non-blocking and refuses what it opened if it is not a file', async () => {
  // A path swapped for a FIFO after the engine's check: the reader must not block on it either.
  await assert.rejects(
    within(
      readCaptureFile(fifo, () => {}),
      5000,
    ),
    (e: Error & { code?: string }) =>
      e.code === 'not-a-file' && /is not a regular file \(a FIFO\)/.test(e.message),
  );
  await assert.rejects(
    within(
      readCaptureFile('/dev/zero', () => {}),
      5000,
    ),
    /\/dev\/zero is not a regular file \(a device\)/,
  );
});

test('serve --capture-dir opens captures inside the folder only: no way out by .., symlinks or absolute paths', async () => {
  const dir = join(tmp, 'captures');
  const outside = join(tmp, 'outside');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  mkdirSync(outside);
  const demo = await demoCapturePath();
  copyFileSync(demo, join(dir, 'sub', 'inside.pcap'));
  copyFileSync(demo, join(outside, 'secret.pcap'));
  symlinkSync(join(outside, 'secret.pcap'), join(dir, 'link.pcap'));
  symlinkSync(outside, join(dir, 'linked-folder'));
  symlinkSync(join(dir, 'sub', 'inside.pcap'), join(dir, 'good-link.pcap'));

  const s = await startServe(['--capture-dir', dir, '--renderer', join(tmp, 'no-ui')]);
  try {
    await s.waitForStderr(/clients may open capture files in .*captures only/);
    const c = await WsClient.connect(s.origin, s.token);
    const open = async (p: string) =>
      parseCallResult('openCapture', await c.call('openCapture', { paths: [p] }));
    for (const p of [
      join(outside, 'secret.pcap'),
      join(dir, '..', 'outside', 'secret.pcap'),
      '../outside/secret.pcap',
      join(dir, 'link.pcap'),
      join(dir, 'linked-folder', 'secret.pcap'),
      'linked-folder/secret.pcap',
    ]) {
      const r = await open(p);
      assert.equal(r.ok, false, p);
      assert.deepEqual(!r.ok && r.error, {
        code: 'forbidden',
        message: `${p} is outside the capture folder ${dir}: this console opens captures from that folder only; copy the file into it`,
      });
    }
    const missing = await open('nope.pcap');
    assert.deepEqual(!missing.ok && missing.error, {
      code: 'bad-request',
      message: `nope.pcap: no such file in the capture folder ${dir}`,
    });
    // Inside, by absolute path, relative path and a symlink that stays inside: read to the end.
    for (const p of [join(dir, 'sub', 'inside.pcap'), 'sub/inside.pcap', join(dir, 'good-link.pcap')]) {
      const r = await open(p);
      assert.ok(r.ok, p);
      const snap = (await waitForCaptureState(c, ['finished', 'failed'])) as {
        status: { state: string };
        devices: { mac: string | null }[];
      };
      assert.equal(snap.status.state, 'finished', p);
      assert.ok(snap.devices.some((d) => d.mac === NET.plc1.mac));
    }
    c.close();
  } finally {
    await s.stop();
  }
});
