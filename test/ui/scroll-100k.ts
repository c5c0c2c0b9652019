/**
 * Benchmark (a script, not a test): 100k synthetic devices into the renderer's store through the same
 * deviceDelta path a capture uses, then grid scroll frames per second in Chromium, counted with
 * requestAnimationFrame while the grid scrolls a fixed distance every frame.
 *
 *   node --import tsx test/ui/scroll-100k.ts [devices]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { placeholderEngine } from '../helpers/placeholder-engine';
import { deltasFor, syntheticDevice } from './helpers/synthetic';
import { buildRenderer, CHROMIUM, CHROMIUM_ARGS, startUiHost } from './helpers/ui-host';

const SCROLL = `new Promise((resolve) => {
  const el = document.querySelector('[data-testid="grid-scroll"]');
  const frames = [];
  const start = performance.now();
  let last = start;
  const step = (now) => {
    frames.push(now - last);
    last = now;
    el.scrollTop += 240;
    if (el.scrollTop + el.clientHeight >= el.scrollHeight - 2) el.scrollTop = 0;
    if (now - start < 4000) return requestAnimationFrame(step);
    const sorted = frames.slice(1).sort((a, b) => a - b);
    resolve({
      fps: (frames.length - 1) / ((now - start) / 1000),
      p95: sorted[Math.floor(sorted.length * 0.95)] || 0,
      worst: sorted[sorted.length - 1] || 0,
      rowsInDom: document.querySelectorAll('.grid-row').length,
    });
  };
  requestAnimationFrame(step);
})`;

// Sorting all rows by a column, timed from the click to the first row changing.
const SORT = `(async () => {
  const first = () => document.querySelector('.grid-row')?.getAttribute('data-id');
  document.querySelector('[data-testid="grid-scroll"]').scrollTop = 0;
  await new Promise((r) => requestAnimationFrame(r));
  const before = first();
  const t = performance.now();
  document.querySelector('button.sort[data-col="traffic"]').click();
  while (first() === before && performance.now() - t < 20000) await new Promise((r) => requestAnimationFrame(r));
  return performance.now() - t;
})()`;

async function main() {
  if (!existsSync(CHROMIUM)) {
    console.log(`scroll-100k: skipped, ${CHROMIUM} is absent`);
    return;
  }
  const n = Number(process.argv[2] ?? 100_000);
  const out = mkdtempSync(join(tmpdir(), 'glasspane-bench-'));
  buildRenderer(out);
  const host = await startUiHost(join(out, 'renderer'), { token: 'b', engine: placeholderEngine() });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${host.url}?token=b`);
    await page.getByTestId('interfaces').waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: /Inventory/ }).click();
    const devices = Array.from({ length: n }, (_, i) => syntheticDevice(i));
    const t0 = Date.now();
    for (const d of deltasFor(devices, [])) host.broadcast('deviceDelta', d);
    await page.waitForFunction(
      (want) => Number(document.querySelector('[data-testid="grid"]')?.getAttribute('data-rows')) === want,
      n,
      { timeout: 120_000, polling: 50 },
    );
    const loadMs = Date.now() - t0;
    // Page code as strings: tsx would wrap named functions in a helper the page does not have.
    const r = (await page.evaluate(SCROLL)) as { fps: number; p95: number; worst: number; rowsInDom: number };
    const sortMs = (await page.evaluate(SORT)) as number;
    console.log(
      `scroll-100k: ${n} devices loaded through ${Math.ceil(n / 20_000)} deltas in ${loadMs} ms; ` +
        `scroll ${r.fps.toFixed(1)} fps (p95 frame ${r.p95.toFixed(1)} ms, worst ${r.worst.toFixed(1)} ms), ` +
        `${r.rowsInDom} rows in the DOM; sort by traffic ${sortMs.toFixed(0)} ms`,
    );
  } finally {
    await browser.close();
    await host.close();
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
