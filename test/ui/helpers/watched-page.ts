/**
 * A browser page for UI tests that records what must never happen: page errors, CSP refusals (the
 * console says "Refused to ..."), and dialogs (dismissed, so a stray alert() cannot hang a test).
 */
import type { Browser, Page } from 'playwright-core';

export interface WatchedPage {
  page: Page;
  problems: string[];
  dialogs: string[];
}

export async function openWatched(
  browser: Browser,
  url: string,
  o: { height?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<WatchedPage> {
  const page = await browser.newPage({
    viewport: { width: 1400, height: o.height ?? 860 },
    colorScheme: o.colorScheme ?? 'light',
  });
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url);
  return { page, problems, dialogs };
}
