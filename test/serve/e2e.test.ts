/**
 * Issue #6 end to end: `glasspane serve` as a child process (fresh renderer build, Debian's Chromium
 * as its PDF printer), the console in Chromium through playwright-core. A corpus capture opened by
 * its path shows its devices with the vendor and type GROUND_TRUTH.md implies; sort and search
 * change the rows; a device's details show its evidence; the map draws one node per device; an edit
 * reaches the grid; CSV and PDF exports hold the rows shown. A capture with hostile host names runs
 * nothing and its CSV neutralises the formula. What the page shows is checked against the engine's
 * own snapshot, fetched over the WebSocket. Screenshots go to test-results/e2e-*.png.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseCallResult } from '../../shared/ipc/contract';
import type { DeviceJson } from '../../shared/model/inventory';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM } from '../../src-main/report/pdf';
import { FORMULA_NAME, HOSTILE, SCRIPT_NAME, writeHostileCapture } from '../report/hostile';
import { pdfText } from '../report/pdf-text';
import { buildRenderer } from '../ui/helpers/ui-host';
import { exportAs, openByPath, sortBy, visibleIds, waitRows } from '../ui/helpers/console-page';
import { openWatched } from '../ui/helpers/watched-page';
import { repoRoot, startServe, type ServeProcess } from './helpers/serve-process';
import { WsClient } from './helpers/ws-client';
import { corpusPath, skipUnlessCorpus } from '../helpers/corpus';

const haveChromium = existsSync(DEFAULT_CHROMIUM);
const SKIP = `${DEFAULT_CHROMIUM} is absent (apt-get install chromium)`;
const PLANT = corpusPath('multi-lan-s7-plant__iti-ics__wrapup.pcapng');
// From GROUND_TRUTH.md for that capture: an engineering PC that says over LLDP it is a "Dell Inc.
// Vostro 3800" desktop named VJTI-PC3, and a D-Link box announcing an Internet gateway over SSDP.
const PC = {
  id: 'mac:74:da:38:a8:83:79',
  name: 'VJTI-PC3',
  vendor: /^Dell\b/,
  type: 'workstation',
  ip: '192.168.0.16',
};
const GATEWAY = { id: 'mac:c4:12:f5:04:c7:4a', vendor: /^D-Link\b/, type: 'router', ip: '192.168.0.253' };
const SEARCH = '192.168.0.1'; // .101, .16, .17 of the plant: the PC in, the gateway out
const NEW_NAME = 'line-3-eng-pc';
const results = join(repoRoot, 'test-results');
const tmp = mkdtempSync(join(tmpdir(), 'gp-e2e-'));
let browser: Browser | null = null;
let serve: ServeProcess | null = null;
let ws: WsClient | null = null;

before(async () => {
  if (!haveChromium) return;
  buildRenderer(tmp);
  mkdirSync(results, { recursive: true });
  serve = await startServe(['--renderer', join(tmp, 'renderer')], {
    GLASSPANE_CACHE_DIR: join(tmp, 'cache'),
    GLASSPANE_CHROMIUM: DEFAULT_CHROMIUM,
  });
  ws = await WsClient.connect(serve.origin, serve.token);
  browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  ws?.close();
  await browser?.close();
  await serve?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** The engine's snapshot once the run of `file` has finished (the page may still show the last one). */
async function finishedRun(file: string, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = parseCallResult('getSnapshot', await ws!.call('getSnapshot', {}));
    assert.ok(r.ok, 'getSnapshot answered');
    const { status } = r.value;
    if (status.state === 'finished' && status.source?.kind === 'file' && status.source.paths.includes(file))
      return r.value;
    if (Date.now() > end) throw new Error(`the run of ${file} never finished: ${JSON.stringify(status)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Opens the capture through the page's path form; resolves with the engine's devices once shown. */
async function openCapture(page: Page, file: string): Promise<DeviceJson[]> {
  // A page that joins an engine already holding a run lands on the inventory: back to the start screen.
  await page.locator('[data-testid="status"][data-synced="true"]').waitFor({ timeout: 15_000 });
  await page.getByRole('tab', { name: 'Capture' }).click();
  await page.getByTestId('interfaces').waitFor({ timeout: 15_000 });
  await openByPath(page, file);
  const { devices } = await finishedRun(file);
  await page.getByRole('tab', { name: /Inventory/ }).click();
  await waitRows(page, devices.length);
  return devices;
}

/** Each row's cells by column id, for the rows in view. */
async function cellsById(page: Page): Promise<Map<string, Record<string, string>>> {
  const cols = await page.locator('button.sort').evaluateAll((els) => els.map((e) => e.dataset.col ?? ''));
  const rows = await page.locator('.grid-row').evaluateAll((els) =>
    els.map((r) => ({
      id: r.dataset.id ?? '',
      cells: Array.from(r.querySelectorAll('.cell'), (c) => c.textContent ?? ''),
    })),
  );
  return new Map(
    rows.map(({ id, cells }) => [id, Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']))]),
  );
}

function csvRows(bytes: Buffer): { head: string[]; rows: string[][]; col: (n: string) => number } {
  const all = parse(bytes.toString('utf8')) as string[][];
  const head = all[0] ?? [];
  return { head, rows: all.slice(1), col: (n) => head.indexOf(n) };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(results, `e2e-${name}.png`) });

test('a corpus capture through the served console: grid, sort, search, evidence, map, edit, CSV and PDF', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  if (skipUnlessCorpus(t, PLANT)) return;
  const { page, problems, dialogs } = await openWatched(browser!, serve!.url);
  const devices = await openCapture(page, PLANT);
  assert.ok(devices.length >= 4, `only ${devices.length} devices`);

  // The two devices GROUND_TRUTH.md identifies, with their vendor and type, in the grid as text.
  const cells = await cellsById(page);
  assert.equal(cells.size, devices.length, 'every device has a row in view');
  for (const want of [PC, GATEWAY]) {
    const row = cells.get(want.id);
    assert.ok(row, `${want.id} is not in the grid`);
    assert.match(row.vendor!, want.vendor, `${want.id} vendor`);
    assert.equal(row.type, want.type, `${want.id} type`);
  }
  assert.equal(cells.get(PC.id)!.name, PC.name);
  await shot(page, 'grid');

  // Sort by traffic both ways: the rows follow the engine's byte counts.
  const bytes = new Map(devices.map((d) => [d.id, d.bytes]));
  const shownBytes = async () => (await visibleIds(page)).map((id) => bytes.get(id) ?? -1);
  await sortBy(page, 'traffic', 'descending');
  const desc = await shownBytes();
  assert.deepEqual(
    desc,
    [...bytes.values()].sort((a, b) => b - a),
  );
  await sortBy(page, 'traffic', 'ascending');
  assert.deepEqual(await shownBytes(), [...desc].reverse());
  await sortBy(page, 'traffic', 'descending');

  // Search: exactly the devices with a matching address, still sorted.
  await page.getByLabel('Search devices').fill(SEARCH);
  const matching = devices.filter((d) => d.ips.some((ip) => ip.includes(SEARCH)));
  assert.ok(matching.length >= 2 && matching.length < devices.length, `${matching.length} match`);
  await waitRows(page, matching.length);
  const shown = await visibleIds(page);
  assert.deepEqual(
    shown,
    [...matching].sort((a, b) => b.bytes - a.bytes).map((d) => d.id),
  );
  assert.ok(shown.includes(PC.id) && !shown.includes(GATEWAY.id));
  await shot(page, 'grid-search');

  // The PC's details: its evidence, as the engine's getDevice holds it, and the vendor's "why?".
  await page.locator(`.grid-row[data-id="${PC.id}"]`).dblclick();
  await page.getByTestId('details').waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('details-name').textContent(), PC.name);
  await page.getByTestId('evidence').waitFor({ timeout: 10_000 });
  const full = parseCallResult('getDevice', await ws!.call('getDevice', { id: PC.id }));
  assert.ok(full.ok);
  const evidence = full.value.evidence ?? [];
  assert.ok(evidence.length > 0, 'the engine holds evidence for the PC');
  assert.equal(
    await page.locator('[data-testid="evidence"] tbody tr').count(),
    Math.min(500, evidence.length),
  );
  await page.locator('tr[data-attr="vendor"] button', { hasText: 'why?' }).click();
  const why = page.locator('tr.why').first();
  await why.waitFor({ timeout: 5_000 });
  // The vendor comes from LLDP's system description (not the NIC's OUI, which says Edimax).
  assert.match((await why.textContent()) ?? '', /Vostro 3800/);
  await shot(page, 'details');

  // The map: one node per device of the engine's snapshot.
  await page.getByLabel('Search devices').fill('');
  await waitRows(page, devices.length);
  await page.getByRole('tab', { name: 'Map' }).click();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="graph-canvas"]')?.getAttribute('data-layouts')) >= 1,
    null,
    { timeout: 20_000 },
  );
  const snap = await finishedRun(PLANT);
  assert.equal(
    Number(await page.getByTestId('graph-canvas').getAttribute('data-nodes')),
    snap.devices.length,
  );
  await shot(page, 'map');

  // Edit the PC's name: the grid shows it, the engine keeps it.
  await page.getByRole('tab', { name: /Inventory/ }).click();
  await page.locator(`.grid-row[data-id="${PC.id}"]`).dblclick();
  await page.getByRole('button', { name: /Edit name, type, vendor, notes/ }).click();
  const form = page.locator('form.edit-form');
  await form.getByLabel('Name').fill(NEW_NAME);
  await form.getByRole('button', { name: 'Save' }).click();
  await page
    .locator(`.grid-row[data-id="${PC.id}"] .cell`, { hasText: NEW_NAME })
    .waitFor({ timeout: 10_000 });
  const edited = (await finishedRun(PLANT)).devices.find((d) => d.id === PC.id);
  assert.equal(edited?.hostname, NEW_NAME);
  await shot(page, 'edited');

  // Export the searched rows: the CSV holds exactly them, the PDF is a PDF naming the edited PC.
  await page.getByLabel('Search devices').fill(SEARCH);
  await waitRows(page, matching.length);
  const rowsShown = await visibleIds(page);
  const csv = await exportAs(page, 'CSV');
  assert.match(csv.name, /\.csv$/);
  const { rows, col } = csvRows(csv.bytes);
  assert.deepEqual(rows.map((r) => r[col('id')]).sort(), [...rowsShown].sort());
  assert.equal(rows.find((r) => r[col('id')] === PC.id)?.[col('hostname')], NEW_NAME);
  const pdf = await exportAs(page, 'PDF report');
  assert.match(pdf.name, /\.pdf$/);
  assert.equal(pdf.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  const text = pdfText(pdf.bytes);
  assert.ok(text.includes(NEW_NAME), 'the shown, edited PC is in the PDF');
  assert.ok(text.includes(`filtered view (${rowsShown.length} devices)`), 'the PDF counts the shown rows');
  await shot(page, 'exported');

  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a capture with hostile host names: nothing runs, names are text, the CSV neutralises the formula', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  const file = writeHostileCapture(join(tmp, 'hostile.pcap'));
  const { page, problems, dialogs } = await openWatched(browser!, serve!.url);
  const devices = await openCapture(page, file);
  const names = devices.map((d) => d.hostname);
  // The engine must have read both names, or this test proves nothing.
  assert.ok(names.includes(SCRIPT_NAME) && names.includes(FORMULA_NAME), JSON.stringify(names));

  const script = devices.find((d) => d.hostname === SCRIPT_NAME)!;
  const cells = await cellsById(page);
  assert.equal(cells.get(script.id)?.name, SCRIPT_NAME, 'the script tag is shown as text');
  assert.equal(await page.locator('.grid script, .grid img, .grid svg').count(), 0);
  await page.locator(`.grid-row[data-id="${script.id}"]`).dblclick();
  assert.equal(await page.getByTestId('details-name').textContent(), SCRIPT_NAME);
  assert.equal(await page.locator('[data-testid="details"] script, [data-testid="details"] img').count(), 0);
  await shot(page, 'hostile');

  const { rows, col } = csvRows((await exportAs(page, 'CSV')).bytes);
  assert.equal(rows.length, devices.length);
  const formula = rows.find((r) => r[col('mac')] === HOSTILE.formula.mac);
  assert.equal(formula?.[col('hostname')], "'" + FORMULA_NAME, 'the formula is neutralised');
  for (const r of rows) for (const c of r) assert.doesNotMatch(c, /^[=+@\t\r]/, `a live formula: ${c}`);

  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems, []);
  await page.close();
});
