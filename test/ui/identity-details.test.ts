/**
 * The details pane's Identity section in Chromium against the real engine: on a real EtherNet/IP
 * capture it lists what tshark reads from the ListIdentity reply, and wire strings that are markup
 * (an HTTP User-Agent) are shown as text. Live deltas do not carry the section; getDevice does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEngine } from '../../src-main/engine/engine';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { tsharkAvailable, tsharkFields } from '../helpers/tshark';
import { HOSTILE_AGENT, writeHostilePcap } from './helpers/hostile';
import { startUiHost, type UiHost } from './helpers/ui-host';
import { openByPath, waitRows } from './helpers/console-page';
import { browserFixture, haveChromium, NO_CHROMIUM as SKIP } from './helpers/browser-fixture';
import { openWatched } from './helpers/watched-page';
import { corpusPath, skipUnlessCorpus } from '../helpers/corpus';

const ENIP = corpusPath('enip-listidentity__icsnpp-enip__enip_cip_example.pcap');
const ui = browserFixture('glasspane-identity-');

async function withEngine(
  fn: (ctx: { host: UiHost; engine: ReturnType<typeof createEngine> }) => Promise<void>,
) {
  const hub = createEventHub(() => {});
  const engine = createEngine({ hub, collectMs: 50 });
  const host = await startUiHost(ui.rendererDir(), { token: 't', engine, hub });
  try {
    await fn({ host, engine });
  } finally {
    await host.close();
    await engine.close();
  }
}

test('details: the Identity section shows what tshark reads from an EtherNet/IP ListIdentity reply', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  if (skipUnlessCorpus(t, ENIP)) return;
  if (!tsharkAvailable()) return t.skip('tshark is not installed');
  // What tshark reads: the replying device's address, product name and serial number.
  const rows = [
    ...tsharkFields(ENIP, ['ip.src', 'enip.lir.name', 'enip.lir.serial'], 'f', 'enip.lir.name').values(),
  ];
  assert.ok(rows.length > 0, 'tshark found no ListIdentity reply');
  const [[src], [name], [serial]] = rows[0]! as [string[], string[], string[]];
  assert.ok(src && name && serial);
  await withEngine(async ({ host, engine }) => {
    const { page, problems, dialogs } = await openWatched(ui.browser(), `${host.url}?token=t`);
    await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
    await openByPath(page, ENIP);
    const snap = await engine.getSnapshot({});
    await waitRows(page, snap.devices.length);
    const dev = snap.devices.find((d) => d.ips.includes(src!));
    assert.ok(dev, `no device for ${src}`);
    // The UI's snapshot leaves the section to the details call.
    assert.equal(dev.identity, undefined);
    await page.locator(`.grid-row[data-id="${dev.id}"]`).dblclick();
    await page.getByTestId('identity').waitFor({ timeout: 10_000 });
    const cells = await page
      .locator('[data-testid="identity"] tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
      );
    const find = (label: string) => cells.find((c) => c[1] === label)?.[2];
    assert.equal(find('product name'), name);
    // tshark prints the serial as 0x%08x, as the engine does.
    assert.equal(find('serial')?.toLowerCase(), serial!.toLowerCase());
    assert.ok(
      cells.some((c) => c[0] === 'enip'),
      'the rows are grouped under their source',
    );
    assert.deepEqual(dialogs, []);
    assert.deepEqual(problems, []);
    await page.close();
  });
});

test('details: an identity value that is markup is shown as text', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  const dir = mkdtempSync(join(tmpdir(), 'glasspane-identity-hostile-'));
  const file = writeHostilePcap(join(dir, 'hostile.pcap'));
  try {
    await withEngine(async ({ host, engine }) => {
      const { page, problems, dialogs } = await openWatched(ui.browser(), `${host.url}?token=t`);
      await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
      await openByPath(page, file);
      const snap = await engine.getSnapshot({});
      await waitRows(page, snap.devices.length);
      const client = snap.devices.find((d) => d.ips.includes('192.168.77.31'));
      assert.ok(client, 'the HTTP client is in the inventory');
      await page.locator(`.grid-row[data-id="${client.id}"]`).dblclick();
      await page.getByTestId('identity').waitFor({ timeout: 10_000 });
      const text = (await page.getByTestId('identity').textContent()) ?? '';
      assert.ok(text.includes(HOSTILE_AGENT), `the User-Agent is not shown as text: ${text}`);
      assert.equal(
        await page.locator('[data-testid="details"] svg, [data-testid="details"] script').count(),
        0,
      );
      await page.waitForTimeout(200);
      assert.deepEqual(dialogs, []);
      assert.deepEqual(problems, []);
      await page.close();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
