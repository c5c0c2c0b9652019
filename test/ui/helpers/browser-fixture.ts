import { after, before } from 'node:test';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { buildRenderer, CHROMIUM, CHROMIUM_ARGS, repoRoot } from './ui-host';

export const haveChromium = existsSync(CHROMIUM);
export const NO_CHROMIUM = `${CHROMIUM} is absent (apt-get install chromium)`;
/** Where UI tests leave their screenshots. */
export const RESULTS = join(repoRoot, 'test-results');

/**
 * What a UI test file needs around its tests: the renderer built into a temporary folder and one
 * Chromium, made before the file's tests (where Chromium exists) and removed after them.
 */
export function browserFixture(prefix: string) {
  let outDir = '';
  let browser: Browser | null = null;
  before(async () => {
    if (!haveChromium) return;
    outDir = mkdtempSync(join(tmpdir(), prefix));
    buildRenderer(outDir);
    mkdirSync(RESULTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });
  return {
    /** The temporary folder (the renderer is in its `renderer` folder). */
    dir: () => outDir,
    rendererDir: () => join(outDir, 'renderer'),
    browser: () => browser!,
  };
}
