/**
 * Benchmark (a script, not a test): 5k synthetic devices and their links through the deviceDelta
 * path, then the topology view's layout time in Chromium: first as shown (subnets aggregated above
 * the threshold), then with every subnet expanded (fcose on all 5k nodes).
 *
 *   node --import tsx test/ui/graph-5k.ts [devices]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { placeholderEngine } from '../helpers/placeholder-engine';
import { deltasFor, syntheticDevice, syntheticEdges } from './helpers/synthetic';
import { buildRenderer, CHROMIUM, CHROMIUM_ARGS, startUiHost } from './helpers/ui-host';

const attr = (page: Page, name: string): Promise<string> =>
  page.evaluate(
    (n) => document.querySelector<HTMLElement>('[data-testid="graph-canvas"]')?.dataset[n] ?? '',
    name,
  );

async function waitLayouts(page: Page, atLeast: number) {
  await page.waitForFunction(
    (want) =>
      Number(document.querySelector<HTMLElement>('[data-testid="graph-canvas"]')?.dataset.layouts) >= want,
    atLeast,
    { timeout: 300_000, polling: 100 },
  );
}

async function main() {
  if (!existsSync(CHROMIUM)) {
    console.log(`graph-5k: skipped, ${CHROMIUM} is absent`);
    return;
  }
  const n = Number(process.argv[2] ?? 5000);
  const out = mkdtempSync(join(tmpdir(), 'glasspane-bench-'));
  buildRenderer(out);
  const host = await startUiHost(join(out, 'renderer'), { token: 'b', engine: placeholderEngine() });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('crash', () => console.log('graph-5k: the page crashed'));
    page.on('pageerror', (e) => console.log(`graph-5k: page error ${e.message}`));
    await page.goto(`${host.url}?token=b`);
    await page.getByTestId('interfaces').waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: 'Map' }).click();
    await page.getByTestId('graph-canvas').waitFor();
    const devices = Array.from({ length: n }, (_, i) => syntheticDevice(i));
    const edges = syntheticEdges(devices);
    const t0 = Date.now();
    for (const d of deltasFor(devices, edges)) host.broadcast('deviceDelta', d);
    await page.waitForFunction(
      (want) =>
        Number(document.querySelector<HTMLElement>('[data-testid="graph-canvas"]')?.dataset.nodes) > 0 &&
        document.querySelector('.tab-count')?.textContent === String(want),
      n,
      { timeout: 120_000, polling: 50 },
    );
    await waitLayouts(page, 1);
    const aggMs = Date.now() - t0;
    const aggNodes = await attr(page, 'nodes');
    const aggLayout = await attr(page, 'layoutMs');
    const layouts = Number(await attr(page, 'layouts'));

    console.log(
      `graph-5k: aggregated view drawn: ${aggNodes} nodes, layout ${aggLayout} ms, ${aggMs} ms from first delta`,
    );
    const t1 = Date.now();
    await page.evaluate(() =>
      (window as unknown as { __glasspaneGraph: { expandAll(): void } }).__glasspaneGraph.expandAll(),
    );
    await waitLayouts(page, layouts + 1);
    const fullMs = Date.now() - t1;
    const fullNodes = await attr(page, 'nodes');
    const fullLayout = await attr(page, 'layoutMs');
    // Interaction after the full layout: frames per second while panning.
    const fps = await page.evaluate(async () => {
      const g = (
        window as unknown as { __glasspaneGraph: { cy: { panBy(p: { x: number; y: number }): void } } }
      ).__glasspaneGraph;
      let frames = 0;
      const start = performance.now();
      while (performance.now() - start < 2000) {
        g.cy.panBy({ x: 5, y: 3 });
        await new Promise((r) => requestAnimationFrame(r));
        frames++;
      }
      return frames / ((performance.now() - start) / 1000);
    });
    console.log(
      `graph-5k: ${n} devices, ${edges.length} links. Aggregated view: ${aggNodes} nodes, layout ${aggLayout} ms ` +
        `(${aggMs} ms from first delta to drawn). All subnets expanded: ${fullNodes} nodes, fcose layout ` +
        `${fullLayout} ms (${fullMs} ms to drawn); panning ${fps.toFixed(1)} fps`,
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
