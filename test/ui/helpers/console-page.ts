/**
 * What the console's browser tests do on a page, whoever hosts it: open a capture through the path
 * form, wait for the grid's row count, read the rows in view, sort by a column, export a download.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** Opens `file` through the start screen's path form and waits for the run to finish. */
export async function openByPath(page: Page, file: string, ms = 30_000): Promise<void> {
  await page.getByRole('tab', { name: /Capture/ }).click();
  await page.getByRole('button', { name: 'Open capture file…' }).click();
  await page.getByLabel('Path on the engine’s machine').fill(file);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByTestId('status').getByText('Finished').waitFor({ timeout: ms });
}

/** Waits until the grid says it holds `n` rows (after search, filters and facets). */
export async function waitRows(page: Page, n: number, ms = 10_000): Promise<void> {
  await page.waitForFunction(
    (want) => Number(document.querySelector('[data-testid="grid"]')?.getAttribute('data-rows')) === want,
    n,
    { timeout: ms },
  );
}

/** The device ids of the rows in view, top to bottom. */
export async function visibleIds(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rows = Array.from(document.querySelectorAll<HTMLElement>('.grid-row'));
    rows.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
    return rows.map((r) => r.dataset.id ?? '');
  });
}

/** Clicks a column's header until it sorts the wanted way (TanStack sorts numbers descending first). */
export async function sortBy(page: Page, col: string, dir: 'ascending' | 'descending'): Promise<void> {
  const header = page.locator(`[role="columnheader"]:has(button.sort[data-col="${col}"])`);
  for (let i = 0; i < 3 && (await header.getAttribute('aria-sort')) !== dir; i++) {
    await page.locator(`button.sort[data-col="${col}"]`).click();
  }
  assert.equal(await header.getAttribute('aria-sort'), dir);
}

/** Picks the inventory's export format, clicks Export, and returns the downloaded file. */
export async function exportAs(
  page: Page,
  label: string,
  ms = 60_000,
): Promise<{ name: string; bytes: Buffer }> {
  await page.getByLabel('Export format').selectOption({ label });
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: ms }),
    page.getByRole('button', { name: 'Export', exact: true }).click(),
  ]);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}
