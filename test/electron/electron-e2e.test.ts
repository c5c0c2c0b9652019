/**
 * The real desktop app, end to end, through playwright-core's _electron: a few serial checks, as
 * GitHub Desktop's smoke tests do. Skipped where the Electron binary was never downloaded (this
 * project does not run electron's postinstall; see scripts/start.mjs).
 */
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { _electron } from 'playwright-core';
import { electronBinary, repoRoot, runBuild } from './helpers/paths';

test('the desktop window opens sandboxed and lists capture sources', async (t) => {
  const executablePath = electronBinary();
  if (!executablePath) {
    return t.skip(
      'the Electron binary is not installed (node node_modules/electron/install.js needs internet)',
    );
  }
  runBuild([]);
  // Chromium refuses to run as root with its sandbox on; only then is it turned off, for this test.
  const args = process.getuid?.() === 0 ? ['--no-sandbox', repoRoot] : [repoRoot];
  const app = await _electron.launch({ executablePath, args, cwd: repoRoot, timeout: 60_000 });
  try {
    const page = await app.firstWindow();
    assert.equal(await page.title(), 'Glasspane');
    // Only the bridge is exposed: no Node in the page.
    assert.equal(
      await page.evaluate(() => typeof (globalThis as { require?: unknown }).require),
      'undefined',
    );
    assert.equal(
      await page.evaluate(() => typeof (globalThis as { process?: unknown }).process),
      'undefined',
    );
    assert.deepEqual(
      await page.evaluate(() => Object.keys((window as unknown as { glasspane: object }).glasspane).sort()),
      ['call', 'on'],
    );
    const table = page.getByTestId('interfaces');
    await table.waitFor({ timeout: 20_000 });
    const shown = await table.locator('tbody tr td:first-child .mono').allTextContents();
    for (const name of Object.keys(networkInterfaces())) assert.ok(shown.includes(name), `${name} not shown`);
    assert.match((await page.getByTestId('live-availability').textContent()) ?? '', /Live capture is/);

    // The renderer cannot reach a channel outside the contract.
    const refused = await page.evaluate(() =>
      (window as unknown as { glasspane: { call(n: string, p: unknown): Promise<unknown> } }).glasspane
        .call('shutdown', {})
        .then(
          () => 'accepted',
          () => 'refused',
        ),
    );
    assert.equal(refused, 'refused');
    await page.screenshot({ path: join(repoRoot, 'test-results/electron-first-window.png') });
  } finally {
    await app.close();
  }
});
