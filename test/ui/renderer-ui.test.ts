/**
 * The renderer in Chromium against the real engine behind a test host: capture start, inventory grid
 * (sort, filters, facets, search), device details with evidence, the topology graph and its
 * selection sync with the grid, and hostile host names rendered as text. Screenshots of each view go
 * to test-results/.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DeviceJson } from '../../shared/model/inventory';
import { createEngine, type Engine } from '../../src-main/engine/engine';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { placeholderEngine } from '../helpers/placeholder-engine';
import { HOSTILE_AGENT, HOSTILE_NAMES, writeHostilePcap } from './helpers/hostile';
import { startUiHost, type UiHost } from './helpers/ui-host';
import { openByPath, sortBy, visibleIds, waitRows } from './helpers/console-page';
import { browserFixture, haveChromium, NO_CHROMIUM as SKIP, RESULTS } from './helpers/browser-fixture';
import { openWatched, type WatchedPage } from './helpers/watched-page';
import { corpusPath, skipUnlessCorpus } from '../helpers/corpus';

const PLANT = corpusPath('multi-lan-s7-plant__iti-ics__wrapup.pcapng');
const ENIP = corpusPath('enip-listidentity__icsnpp-enip__enip_cip_example.pcap');
const results = RESULTS;

const ui = browserFixture('glasspane-ui-');

type Opened = WatchedPage;

const open = (url: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Opened> =>
  openWatched(ui.browser(), url, { colorScheme });

async function withEngine(
  fn: (ctx: { host: UiHost; engine: Engine }) => Promise<void>,
  opts: { extras?: boolean; demo?: string } = {},
) {
  const hub = createEventHub(() => {});
  const engine = createEngine({ hub, collectMs: 50 });
  const host = await startUiHost(ui.rendererDir(), {
    token: 't',
    engine,
    hub,
    // getDevice and editDevice are the engine's own calls now; `extras: false` plays an older host.
    older: opts.extras === false,
    listSourcesExtra: opts.demo ? { demo: { path: opts.demo } } : undefined,
  });
  try {
    await fn({ host, engine });
  } finally {
    await host.close();
    await engine.close();
  }
}

test('start screen: interfaces with rate column, BPF checked before start, demo capture offered', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  if (skipUnlessCorpus(t, ENIP)) return;
  const hub = createEventHub(() => {});
  const engine = createEngine({ hub, collectMs: 50 });
  const host = await startUiHost(ui.rendererDir(), {
    token: 't',
    engine: { ...placeholderEngine(), openCapture: engine.openCapture, getSnapshot: engine.getSnapshot },
    hub,
    listSourcesExtra: { demo: { path: ENIP } },
    // A stand-in for libpcap's compiler: refuses port numbers out of range, as pcap_compile does.
    // interfaceCounters says the OS counters are unknown here, so the rates come from the run's
    // counters (the fallback; alerts-dashboard-ui.test.ts covers the OS counters).
    extra: {
      interfaceCounters: () => ({ supported: false, at: Date.now(), interfaces: [] }),
      checkFilter: (p) => {
        const f = String((p as { filter?: unknown }).filter ?? '');
        const bad = /port (\d+)/.exec(f);
        return bad && Number(bad[1]) > 65535
          ? { ok: false, message: `illegal port number ${bad[1]} > 65535` }
          : { ok: true, message: null };
      },
    },
  });
  try {
    const { page, problems } = await open(`${host.url}?token=t`);
    await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole('columnheader', { name: 'Packets/s' }).count(), 1);
    const bpf = page.getByLabel('Capture filter (BPF)');
    await bpf.fill('tcp and (port 80');
    await page
      .getByTestId('filter-check')
      .getByText(/never closed/)
      .waitFor();
    assert.equal(await page.getByRole('button', { name: 'Start capture' }).isDisabled(), true);
    // Well formed, but the engine's compiler refuses it: Start stays disabled, the reason is shown.
    const iface = (await page
      .locator('[data-testid="interfaces"] tbody tr td:first-child .mono')
      .first()
      .textContent())!;
    await page.getByLabel(`Capture on ${iface}`, { exact: true }).check();
    await bpf.fill('tcp port 99999');
    await page
      .getByTestId('filter-check')
      .getByText(/libpcap: illegal port number 99999/)
      .waitFor();
    assert.equal(await page.getByRole('button', { name: 'Start capture' }).isDisabled(), true);
    await bpf.fill('tcp port 502 or udp port 47808');
    await page
      .getByTestId('filter-check')
      .getByText(/Checked by libpcap/)
      .waitFor();

    // A live run on that interface: its row draws the packet rate from the status counters.
    for (let i = 0; i < 6; i++) {
      host.broadcast('captureStatus', {
        state: 'running',
        source: { kind: 'live', interfaces: [iface], filter: 'tcp port 502 or udp port 47808' },
        // Cubic growth: each rate is at least 1.6 times the one before, so a loaded machine's timer
        // jitter cannot reorder them.
        counters: { packets: i * i * i * 100, bytes: i * 6400, drops: i, malformed: 0 },
        message: null,
      });
      await page.waitForTimeout(200);
    }
    const row = page.locator('[data-testid="interfaces"] tbody tr', {
      has: page.getByLabel(`Capture on ${iface}`, { exact: true }),
    });
    const points = ((await row.locator('svg.sparkline polyline').getAttribute('points')) ?? '')
      .trim()
      .split(/\s+/);
    assert.equal(points.length, 5, 'one rate per pair of readings');
    // The rates rise (i*i*i packets): each point is higher on screen (smaller y) than the one before.
    const ys = points.map((p) => Number(p.split(',')[1]));
    for (let i = 1; i < ys.length; i++)
      assert.ok(ys[i]! < ys[i - 1]!, `rate ${i} does not rise: ${ys.join(' ')}`);
    assert.equal(await page.getByRole('button', { name: 'Stop capture' }).isVisible(), true);
    await page.getByTestId('progress').waitFor();
    await page.screenshot({ path: join(results, 'ui-start-live.png') });
    host.broadcast('captureStatus', {
      state: 'stopped',
      source: { kind: 'live', interfaces: [iface], filter: null },
      counters: { packets: 2500, bytes: 32000, drops: 5, malformed: 0 },
      message: null,
    });
    await page.getByRole('button', { name: 'Start capture' }).waitFor();
    await page.screenshot({ path: join(results, 'ui-start-screen.png') });

    // First run without privileges still has something to show: the demo capture.
    await page.getByTestId('open-demo').click();
    await page.getByTestId('status').getByText('Finished').waitFor({ timeout: 30_000 });
    await page.getByTestId('grid').waitFor();
    const snap = await engine.getSnapshot({});
    assert.ok(snap.devices.length > 0);
    await waitRows(page, snap.devices.length);
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await host.close();
    await engine.close();
  }
});

test('inventory: devices with vendor, sort, filters, facets, search; details with evidence; graph in sync', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  if (skipUnlessCorpus(t, PLANT)) return;
  await withEngine(async ({ host, engine }) => {
    const { page, problems, dialogs } = await open(`${host.url}?token=t`);
    await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
    await openByPath(page, PLANT);
    const snap = await engine.getSnapshot({});
    const devices: DeviceJson[] = snap.devices;
    assert.ok(devices.length >= 3, `only ${devices.length} devices`);
    await waitRows(page, devices.length);

    // Vendors the engine found are in the grid, as text in the vendor column.
    const withVendor = devices.filter((d) => d.vendor);
    assert.ok(withVendor.length > 0, 'no device has a vendor');
    const vendorCells = await page.locator('.grid-row .cell:nth-child(4)').allTextContents();
    assert.ok(vendorCells.some((v) => v === withVendor[0]!.vendor || withVendor.some((d) => d.vendor === v)));

    // Sort by traffic, descending: the first row is the busiest device.
    await sortBy(page, 'traffic', 'descending');
    const busiest = [...devices].sort((a, b) => b.bytes - a.bytes)[0]!;
    assert.equal((await visibleIds(page))[0], busiest.id);
    // Ascending: the quietest first.
    await sortBy(page, 'traffic', 'ascending');
    const quietest = Math.min(...devices.map((d) => d.bytes));
    const ascFirst = (await visibleIds(page))[0]!;
    assert.equal(devices.find((d) => d.id === ascFirst)?.bytes, quietest);

    // A vendor filter keeps exactly the devices whose vendor contains the text.
    const vendor = withVendor[0]!.vendor!;
    const word = vendor.split(/\s+/)[0]!.toLowerCase();
    await page.locator('input[data-filter="vendor"]').fill(word);
    const expectVendor = devices.filter((d) => (d.vendor ?? '').toLowerCase().includes(word)).length;
    await waitRows(page, expectVendor);
    await page.locator('input[data-filter="vendor"]').fill('');
    await waitRows(page, devices.length);

    // Facets: the subnet facet's count equals the rows a click leaves.
    const facet = page.locator('[data-facet="vendor"] .facet-value').first();
    const facetCount = Number(await facet.locator('.facet-count').textContent());
    await facet.click();
    await waitRows(page, facetCount);
    await facet.click();
    await waitRows(page, devices.length);

    // Global search by one device's address finds it.
    const target =
      devices.find((d) => d.ips.length > 0 && d.vendor) ?? devices.find((d) => d.ips.length > 0)!;
    const ip = target.ips[0]!;
    await page.getByLabel('Search devices').fill(ip);
    const expectSearch = devices.filter(
      (d) => d.ips.some((x) => x.includes(ip)) || (d.hostname ?? '').includes(ip),
    );
    await waitRows(page, expectSearch.length);
    await page.screenshot({ path: join(results, 'ui-grid-search.png') });
    await page.getByLabel('Search devices').fill('');
    await waitRows(page, devices.length);
    await page.getByTestId('grid-scroll').evaluate((el) => (el.scrollLeft = 0));
    await page.screenshot({ path: join(results, 'ui-grid.png') });

    // Keyboard: focus the grid, arrow to the first row, Enter opens the details with evidence.
    const inv = engine.analyzer.inventory;
    const evidenceOf = (id: string) => {
      const d = [...inv.devices()].find((x) => x.id === id);
      return d ? (inv.deviceJson(d, true).evidence ?? []) : [];
    };
    const rich = [...devices].sort((a, b) => evidenceOf(b.id).length - evidenceOf(a.id).length)[0]!;
    assert.ok(evidenceOf(rich.id).length > 0, 'no device has evidence');
    await page.getByLabel('Search devices').fill(rich.id);
    await waitRows(page, 1);
    await page.getByTestId('grid').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('details').waitFor();
    const shownId = await page.locator('.grid-row.selected').getAttribute('data-id');
    const shown = devices.find((d) => d.id === shownId)!;
    assert.ok(shown, 'a row is selected');
    assert.match(
      (await page.getByTestId('details').textContent()) ?? '',
      new RegExp(shown.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
    );
    await page.getByTestId('evidence').waitFor({ timeout: 10_000 });
    const evRows = await page.locator('[data-testid="evidence"] tbody tr').count();
    assert.equal(shown.id, rich.id);
    const expectedEvidence = evidenceOf(shown.id);
    assert.equal(evRows, Math.min(500, expectedEvidence.length));
    if (shown.vendor && shown.vendor === shown.ouiVendor) {
      await page.locator('tr[data-attr="vendor"] button', { hasText: 'why?' }).click();
      await page.getByText(/IEEE OUI registry/).waitFor();
    }
    await page.screenshot({ path: join(results, 'ui-details.png') });
    await page.getByLabel('Search devices').fill('');
    await waitRows(page, devices.length);

    // The map: one node per device (below the aggregation threshold), as the snapshot holds.
    await page.getByRole('tab', { name: 'Map' }).click();
    const canvas = page.getByTestId('graph-canvas');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="graph-canvas"]')?.getAttribute('data-layouts')) >= 1,
      null,
      { timeout: 20_000 },
    );
    assert.equal(Number(await canvas.getAttribute('data-nodes')), devices.length);
    await page.screenshot({ path: join(results, 'ui-graph.png') });

    // Click a node on the canvas: the grid's selection follows. The node is one no other node
    // overlaps, read after the view has stopped moving.
    await page.waitForTimeout(300);
    const clear = (await page.evaluate(`(() => {
      const cy = window.__glasspaneGraph.cy;
      const leaves = cy.nodes().filter((n) => !n.isParent() && !n.selected());
      for (const n of leaves.toArray()) {
        const p = n.renderedPosition();
        const hit = leaves.filter((m) => { const b = m.renderedBoundingBox({ includeLabels: true }); return p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2; });
        if (hit.length === 1) return { id: n.id(), x: p.x, y: p.y };
      }
      return null;
    })()`)) as { id: string; x: number; y: number } | null;
    assert.ok(clear, 'some node stands clear of the others');
    const pick = devices.find((d) => d.id === clear.id)!;
    const box = (await page.getByTestId('cy').boundingBox())!;
    await page.mouse.click(box.x + clear.x, box.y + clear.y);
    await page.getByRole('tab', { name: /Inventory/ }).click();
    await page.locator(`.grid-row.selected[data-id="${pick.id}"]`).waitFor({ timeout: 5_000 });

    // Dark theme.
    await page.getByRole('button', { name: /^Theme:/ }).click(); // system -> light
    await page.getByRole('button', { name: /^Theme:/ }).click(); // light -> dark
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.screenshot({ path: join(results, 'ui-grid-dark.png') });
    await page.getByRole('tab', { name: 'Map' }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(results, 'ui-graph-dark.png') });

    assert.deepEqual(dialogs, []);
    assert.deepEqual(problems, []);
    await page.close();
  });
});

test('hostile host names are shown as text, nothing executes, and exports escape them', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  const dir = mkdtempSync(join(tmpdir(), 'glasspane-hostile-'));
  const file = writeHostilePcap(join(dir, 'hostile.pcap'));
  try {
    await withEngine(async ({ host, engine }) => {
      const { page, problems, dialogs } = await open(`${host.url}?token=t`);
      await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
      await openByPath(page, file);
      const snap = await engine.getSnapshot({});
      await waitRows(page, snap.devices.length);
      const names = snap.devices.map((d) => d.hostname).filter((n): n is string => n !== null);
      // The engine must have read at least one hostile name, or this test proves nothing.
      assert.ok(
        HOSTILE_NAMES.some((h) => names.includes(h)),
        `no hostile name came through: ${JSON.stringify(names)}`,
      );
      const cells = await page.locator('.grid-row .cell:first-child').allTextContents();
      for (const n of names) assert.ok(cells.includes(n), `${n} not shown as text`);
      assert.equal(await page.locator('.grid img, .grid script, .grid svg').count(), 0);

      const hostile =
        snap.devices.find((d) => d.hostname === HOSTILE_NAMES[0]) ?? snap.devices.find((d) => d.hostname)!;
      await page.locator(`.grid-row[data-id="${hostile.id}"]`).dblclick();
      await page.getByTestId('details').waitFor();
      assert.equal(await page.getByTestId('details-name').textContent(), hostile.hostname);
      await page.getByTestId('evidence').waitFor({ timeout: 10_000 });
      assert.equal(
        await page.locator('[data-testid="details"] img, [data-testid="details"] script').count(),
        0,
      );

      await page.getByRole('tab', { name: 'Map' }).click();
      await page.waitForFunction(
        () =>
          Number(document.querySelector('[data-testid="graph-canvas"]')?.getAttribute('data-layouts')) >= 1,
        null,
        { timeout: 20_000 },
      );
      // Hover every node: tooltips are text.
      const positions = await page.evaluate(() => {
        const g = (
          window as unknown as {
            __glasspaneGraph: {
              cy: {
                nodes(): {
                  map<T>(
                    f: (n: { renderedPosition(): { x: number; y: number }; isParent(): boolean }) => T,
                  ): T[];
                };
              };
            };
          }
        ).__glasspaneGraph;
        return g.cy.nodes().map((n) => (n.isParent() ? null : n.renderedPosition()));
      });
      const box = (await page.getByTestId('cy').boundingBox())!;
      for (const p of positions) if (p) await page.mouse.move(box.x + p.x, box.y + p.y);
      assert.equal(await page.locator('.cy-tooltip *').count(), 0);
      const svg = await page.evaluate(() =>
        (window as unknown as { __glasspaneGraph: { svg(): string } }).__glasspaneGraph.svg(),
      );
      assert.ok(!svg.includes('<img') && !svg.includes('<script'), 'the SVG export carries raw markup');
      assert.ok(svg.includes('&lt;img src=x onerror=alert(1)&gt;') || svg.includes('&lt;script&gt;'));
      await page.screenshot({ path: join(results, 'ui-hostile-graph.png') });

      // The HTTP User-Agent is evidence on the client; its details show it as text.
      const client = snap.devices.find((d) => d.ips.includes('192.168.77.31'));
      if (client) {
        await page.getByRole('tab', { name: /Inventory/ }).click();
        await page.locator(`.grid-row[data-id="${client.id}"]`).dblclick();
        await page.getByTestId('evidence').waitFor({ timeout: 10_000 });
        const ev = (await page.getByTestId('evidence').textContent()) ?? '';
        if (ev.includes('svg onload')) assert.ok(ev.includes(HOSTILE_AGENT.slice(0, 10)));
      }
      await page.waitForTimeout(300);
      assert.deepEqual(dialogs, []);
      assert.deepEqual(problems, []);
      await page.close();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a host without the proposed calls: details say evidence is unavailable, edits stay hidden', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  if (skipUnlessCorpus(t, ENIP)) return;
  await withEngine(
    async ({ host, engine }) => {
      const { page, problems } = await open(`${host.url}?token=t`, 'dark');
      await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
      assert.equal(await page.getByTestId('open-demo').count(), 0, 'no demo offered, no button');
      await openByPath(page, ENIP);
      const snap = await engine.getSnapshot({});
      await waitRows(page, snap.devices.length);
      await page.locator('.grid-row').first().dblclick();
      await page.getByTestId('evidence-unavailable').waitFor({ timeout: 10_000 });
      assert.equal(await page.getByRole('button', { name: /Edit name/ }).count(), 0);
      await page.screenshot({ path: join(results, 'ui-details-dark.png') });
      assert.deepEqual(problems, []);
      await page.close();
    },
    { extras: false },
  );
});

test('views persist; column chooser hides and moves columns; graph layouts, focus, search and PNG export work', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  if (skipUnlessCorpus(t, PLANT)) return;
  await withEngine(async ({ host, engine }) => {
    const { page, problems, dialogs } = await open(`${host.url}?token=t`);
    await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
    await openByPath(page, PLANT);
    const snap = await engine.getSnapshot({});
    const devices = snap.devices;
    await waitRows(page, devices.length);

    // Hide the MAC column, move Vendor first, filter, save as a view.
    await page.getByRole('button', { name: 'Columns' }).click();
    const chooser = page.getByTestId('column-chooser');
    await chooser.getByLabel('MAC', { exact: true }).uncheck();
    for (let i = 0; i < 3; i++) await chooser.getByRole('button', { name: 'Move Vendor up' }).click();
    await chooser.getByRole('button', { name: 'Close' }).click();
    assert.equal(await page.locator('button.sort[data-col="mac"]').count(), 0);
    const headerOrder = await page
      .locator('button.sort')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-col')));
    assert.equal(headerOrder[0], 'vendor');
    const v = devices.find((d) => d.vendor)!.vendor!;
    await page.locator('input[data-filter="vendor"]').fill(`=${v.toLowerCase()}`);
    const want = devices.filter((d) => d.vendor?.toLowerCase() === v.toLowerCase()).length;
    await waitRows(page, want);
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByLabel('View name').fill('one vendor');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByLabel('Saved views').selectOption({ label: 'Reset view' });
    await waitRows(page, devices.length);
    assert.equal(await page.locator('button.sort[data-col="mac"]').count(), 1);
    await page.getByLabel('Saved views').selectOption({ label: 'one vendor' });
    await waitRows(page, want);
    assert.equal(await page.locator('button.sort[data-col="mac"]').count(), 0);
    // The current view survives a reload (localStorage).
    await page.reload();
    await page.getByRole('tab', { name: /Inventory/ }).click();
    await waitRows(page, want);
    await page.getByLabel('Saved views').selectOption({ label: 'Reset view' });
    await waitRows(page, devices.length);

    // Graph: every layout keeps every device; focus and search select devices that the grid then shows.
    await page.getByRole('tab', { name: 'Map' }).click();
    const layoutsDone = async (n: number) =>
      page.waitForFunction(
        (w) =>
          Number(document.querySelector<HTMLElement>('[data-testid="graph-canvas"]')?.dataset.layouts) >= w,
        n,
        {
          timeout: 20_000,
        },
      );
    await layoutsDone(1);
    for (const [label, i] of [
      ['By subnet', 2],
      ['By Purdue level', 3],
      ['Force-directed', 4],
    ] as const) {
      await page.getByLabel('Layout').selectOption({ label });
      await layoutsDone(i);
      assert.equal(
        Number(await page.getByTestId('graph-canvas').getAttribute('data-nodes')),
        devices.length,
        label,
      );
      if (label === 'By Purdue level') await page.screenshot({ path: join(results, 'ui-graph-purdue.png') });
    }
    // The device with the most peers, found by its MAC (unique, unlike an address prefix).
    const peersOf = (id: string) =>
      new Set(snap.edges.flatMap((e) => (e.a === id ? [e.b] : e.b === id ? [e.a] : [])));
    const target = [...devices]
      .filter((d) => d.mac)
      .sort((a, b) => peersOf(b.id).size - peersOf(a.id).size)[0]!;
    await page.getByLabel('Search the map').fill(target.mac!);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByText(/\d+ found/).waitFor();
    await page.getByRole('button', { name: 'Focus on selection' }).click();
    await page.getByRole('button', { name: 'Show all' }).waitFor();
    const faded = await page.evaluate(
      `window.__glasspaneGraph.cy.nodes('.faded').filter((n) => !n.id().startsWith('net:')).length`,
    );
    assert.equal(await page.evaluate(`window.__glasspaneGraph.cy.$('node:selected').id()`), target.id);
    assert.equal(faded, devices.length - 1 - peersOf(target.id).size);
    // The subnet box around the focused devices stays visible.
    assert.equal(
      await page.evaluate(
        `window.__glasspaneGraph.cy.nodes(':parent.faded').filter((p) => p.children(':not(.faded)').nonempty()).length`,
      ),
      0,
    );
    await page.screenshot({ path: join(results, 'ui-graph-focus.png') });
    const png = await page.evaluate(
      `window.__glasspaneGraph.png().arrayBuffer().then((b) => Array.from(new Uint8Array(b.slice(0, 8))))`,
    );
    assert.deepEqual(png, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // Keyboard: n steps to a device; Enter opens its details.
    await page.getByTestId('graph-canvas').focus();
    await page.keyboard.press('n');
    await page.keyboard.press('Enter');
    await page.getByTestId('details').waitFor();
    assert.deepEqual(dialogs, []);
    assert.deepEqual(problems, []);
    await page.close();
  });
});

test('edit a device in its details: the grid shows the new name, the engine keeps it', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  if (skipUnlessCorpus(t, ENIP)) return;
  await withEngine(async ({ host, engine }) => {
    const { page, problems } = await open(`${host.url}?token=t`);
    await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
    await openByPath(page, ENIP);
    const snap = await engine.getSnapshot({});
    await waitRows(page, snap.devices.length);
    await page.locator('.grid-row').first().dblclick();
    await page.getByRole('button', { name: /Edit name, type, vendor, notes/ }).click();
    const form = page.locator('form.edit-form');
    await form.getByLabel('Name').fill('boiler-room-plc');
    await form.getByLabel('Type').fill('plc');
    await form.getByLabel('Notes').fill('hall 3, cabinet 2');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('.grid-row', { hasText: 'boiler-room-plc' }).first().waitFor({ timeout: 10_000 });
    const after = await engine.getSnapshot({});
    const edited = after.devices.find((d) => d.hostname === 'boiler-room-plc');
    assert.ok(edited, 'the engine holds the edit');
    assert.equal(edited.type, 'plc');
    assert.equal(edited.notes, 'hall 3, cabinet 2');
    assert.deepEqual(edited.edited, ['name', 'type', 'notes']);
    await page.screenshot({ path: join(results, 'ui-edited.png') });
    assert.deepEqual(problems, []);
    await page.close();
  });
});
