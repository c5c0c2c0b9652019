/**
 * The store path end to end: `glasspane serve --db FILE --open demo` records the inventory, then
 * `glasspane report --db FILE` reports on it (with the store's alerts section). Skips when the store
 * module (written elsewhere) cannot load here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { InventoryJson } from '../../shared/model/inventory';
import { demoCapturePath } from '../../src-main/demo/demo-path';
import { NET } from '../../src-main/demo/network';
import { reportCommand } from '../../src-main/report/report-command';
import { startServe } from '../serve/helpers/serve-process';
import { waitForCaptureState, WsClient } from '../serve/helpers/ws-client';

const tmp = mkdtempSync(join(tmpdir(), 'gp-store-report-'));
process.env.GLASSPANE_CACHE_DIR = join(tmp, 'cache');
after(() => rmSync(tmp, { recursive: true, force: true }));

async function storeLoads(): Promise<string | null> {
  try {
    await import('../../src-main/store/store');
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

test('serve --db records the demo inventory; report --db writes it as JSON and HTML', async (t) => {
  const why = await storeLoads();
  if (why !== null) return t.skip(`the device store does not load: ${why}`);
  const db = join(tmp, 'inventory.db');
  const serve = await startServe(['--db', db, '--open', await demoCapturePath()]);
  try {
    const c = await WsClient.connect(serve.origin, serve.token);
    await waitForCaptureState(c, ['finished']);
    c.close();
  } finally {
    assert.equal(await serve.stop('SIGTERM'), 0, serve.stderr());
  }
  assert.doesNotMatch(serve.stderr(), /store stopped recording/);

  const json = join(tmp, 'store.json');
  assert.equal(await reportCommand([], { db, out: json }), 0);
  const inv = JSON.parse(readFileSync(json, 'utf8')) as InventoryJson;
  for (const h of Object.values(NET))
    assert.ok(
      inv.devices.some((d) => d.mac === h.mac),
      `${h.name} not in the store`,
    );
  assert.ok(inv.devices.find((d) => d.mac === NET.ws1.mac)?.ips.includes(NET.ws1.ip));

  const html = join(tmp, 'store.html');
  assert.equal(await reportCommand([], { db, out: html }), 0);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /device store/);
  assert.doesNotMatch(page, /this report was made from capture files/);
  assert.ok(page.includes(NET.plc1.mac));
});
