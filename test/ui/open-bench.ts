/**
 * Benchmark (a script, not a test): the time from asking the UI to open a capture to the grid
 * showing all its devices, through the real engine behind the WebSocket host, in Chromium.
 *
 *   node --import tsx test/ui/open-bench.ts CAPTURE
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createEngine } from '../../src-main/engine/engine';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { buildRenderer, CHROMIUM, CHROMIUM_ARGS, startUiHost } from './helpers/ui-host';

async function main() {
  const capture = resolve(process.argv[2] ?? '');
  if (!existsSync(CHROMIUM) || !existsSync(capture)) {
    console.log(`open-bench: skipped (${existsSync(CHROMIUM) ? capture : CHROMIUM} is absent)`);
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'glasspane-bench-'));
  buildRenderer(out);
  const hub = createEventHub(() => {});
  const engine = createEngine({ hub });
  const host = await startUiHost(join(out, 'renderer'), { token: 'b', engine, hub });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.goto(`${host.url}?token=b`);
    await page.getByTestId('interfaces').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Open capture file…' }).click();
    await page.getByLabel('Path on the engine’s machine').fill(capture);
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page
      .getByTestId('status')
      .getByText('Finished')
      .waitFor({ timeout: 10 * 60_000 });
    const read = Date.now() - t0;
    const n = (await engine.getSnapshot({})).devices.length;
    await page.getByRole('tab', { name: /Inventory/ }).click();
    await page.waitForFunction(
      (want) => Number(document.querySelector('[data-testid="grid"]')?.getAttribute('data-rows')) === want,
      n,
      { timeout: 60_000 },
    );
    const shown = Date.now() - t0;
    console.log(
      `open-bench: ${n} devices; engine finished reading after ${read} ms, grid showed them all after ${shown} ms`,
    );
  } finally {
    await browser.close();
    await host.close();
    await engine.close();
    rmSync(out, { recursive: true, force: true });
  }
}

void main();
