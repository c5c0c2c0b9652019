/**
 * The inventory's export in Chromium against the real engine: filter the grid, export CSV and a PDF
 * report through exportReport, and the downloaded files hold exactly the rows shown; a host without
 * a PDF printer says so; a host from before exportReport still gives CSV, made by the renderer.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { type Page } from 'playwright-core';
import { createEngine, type Engine, type EngineOptions } from '../../src-main/engine/engine';
import { createEventHub, type EventHub } from '../../src-main/ipc/event-hub';
import { chromiumPrinter } from '../../src-main/report/pdf';
import { CMD_NAME, OFFICE, writeOfficeCapture } from '../report/export-capture';
import { pdfText } from '../report/pdf-text';
import { CHROMIUM, startUiHost, type UiHost } from './helpers/ui-host';
import { browserFixture, haveChromium, NO_CHROMIUM as SKIP } from './helpers/browser-fixture';
import { exportAs, waitRows } from './helpers/console-page';

let capture = '';

const ui = browserFixture('glasspane-export-ui-');
before(() => {
  if (haveChromium) capture = writeOfficeCapture(join(ui.dir(), 'office.pcap'));
});

async function withHost(
  o: { engine?: Partial<EngineOptions>; unknown?: string[] },
  fn: (ctx: { page: Page; engine: Engine; hub: EventHub; problems: string[] }) => Promise<void>,
) {
  const hub = createEventHub(() => {});
  const engine = createEngine({ hub, collectMs: 50, ...o.engine });
  const host: UiHost = await startUiHost(ui.rendererDir(), {
    token: 't',
    engine,
    hub,
    unknown: o.unknown,
  });
  const page = await ui.browser().newPage({ viewport: { width: 1400, height: 860 }, acceptDownloads: true });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  try {
    await page.goto(`${host.url}?token=t`);
    await page.getByTestId('interfaces').waitFor({ timeout: 10_000 });
    await engine.openCapture({ paths: [capture] });
    await engine.idle;
    await page.getByRole('tab', { name: /Inventory/ }).click();
    await waitRows(page, (await engine.getSnapshot({})).devices.length);
    await fn({ page, engine, hub, problems });
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await host.close();
    await engine.close();
  }
}

/** Three of the four hosts: the printer has no address of its own. */
async function filterToAddresses(page: Page, engine: Engine) {
  await page.getByLabel('Search devices').fill('10.7.0.1');
  const snap = await engine.getSnapshot({});
  const shown = snap.devices.filter((d) => d.ips.some((ip) => ip.includes('10.7.0.1'))).map((d) => d.id);
  assert.ok(
    shown.length >= 2 && shown.length < snap.devices.length,
    `${shown.length} of ${snap.devices.length}`,
  );
  await waitRows(page, shown.length);
  return shown;
}

test('export: the filtered rows as CSV and as a PDF report, through the engine', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  await withHost({ engine: { printPdf: chromiumPrinter(CHROMIUM)! } }, async ({ page, engine }) => {
    const shown = await filterToAddresses(page, engine);
    const csv = await exportAs(page, 'CSV');
    assert.match(csv.name, /^glasspane-inventory-.*\.csv$/);
    const rows = parse(csv.bytes.toString('utf8')) as string[][];
    const head = rows[0]!;
    // The engine's CSV (its column names, not the grid's labels).
    assert.ok(head.includes('oui_vendor'), `not the engine's CSV: ${head.join(',')}`);
    const col = (n: string) => head.indexOf(n);
    assert.deepEqual(
      rows
        .slice(1)
        .map((r) => r[col('id')])
        .sort(),
      [...shown].sort(),
    );
    const cmd = rows.find((r) => r[col('mac')] === OFFICE.cmd.mac);
    assert.equal(cmd?.[col('hostname')], "'" + CMD_NAME);

    // The PDF takes a browser start: the button says so meanwhile.
    await page.getByLabel('Export format').selectOption({ label: 'PDF report' });
    const pending = page.waitForEvent('download', { timeout: 60_000 });
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.getByRole('button', { name: 'Exporting…' }).waitFor({ timeout: 5_000 });
    assert.equal(await page.getByRole('button', { name: 'Exporting…' }).isDisabled(), true);
    const dl = await pending;
    assert.match(dl.suggestedFilename(), /\.pdf$/);
    const pdf = readFileSync(await dl.path());
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const text = pdfText(pdf);
    assert.ok(text.includes(OFFICE.pc.name), 'a shown device is in the PDF');
    assert.ok(
      text.includes(`filtered view (${shown.length} devices)`),
      'the title says it is a filtered view and counts the shown devices',
    );
    assert.ok(!text.includes(OFFICE.printer.name), 'the filtered-out printer is not');
    await page.getByRole('button', { name: 'Export', exact: true }).waitFor();
  });
});

test('export: a host without a PDF printer says what to do', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  await withHost({}, async ({ page }) => {
    await page.getByLabel('Export format').selectOption({ label: 'PDF report' });
    let downloaded = false;
    page.on('download', () => (downloaded = true));
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const msg = page.getByTestId('export-message');
    await msg.waitFor({ timeout: 10_000 });
    assert.match((await msg.textContent()) ?? '', /Chromium/);
    assert.equal(downloaded, false);
    assert.equal(await page.getByRole('button', { name: 'Export', exact: true }).isDisabled(), false);
  });
});

test('export: a host from before exportReport: CSV made by the renderer, no report formats', async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  await withHost({ unknown: ['exportReport'] }, async ({ page, engine }) => {
    const shown = await filterToAddresses(page, engine);
    const csv = await exportAs(page, 'CSV');
    const rows = parse(csv.bytes.toString('utf8')) as string[][];
    // The grid's CSV: its visible columns, one row per shown device.
    assert.ok(!rows[0]!.includes('oui_vendor'), 'the renderer’s CSV, not the engine’s');
    assert.equal(rows.length - 1, shown.length);
    assert.ok(
      rows.some((r) => r.includes("'" + CMD_NAME)),
      'the formula neutralised here too',
    );
    const options = await page.getByLabel('Export format').locator('option').allTextContents();
    assert.deepEqual(options, ['CSV', 'JSON']);
  });
});

test("export: the host's File > Export… (uiCommand) exports the rows the grid shows, from any view", async (t) => {
  if (!haveChromium) return t.skip(SKIP);
  await withHost({}, async ({ page, engine, hub }) => {
    const shown = await filterToAddresses(page, engine);
    // Away from the inventory: the command brings it back and exports there.
    await page.getByRole('tab', { name: /Map/ }).click();
    const [dl] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      Promise.resolve().then(() => hub.emit('uiCommand', { command: 'export' })),
    ]);
    assert.match(dl.suggestedFilename(), /\.csv$/);
    const rows = parse(readFileSync(await dl.path()).toString('utf8')) as string[][];
    const id = rows[0]!.indexOf('id');
    assert.deepEqual(
      rows
        .slice(1)
        .map((r) => r[id])
        .sort(),
      [...shown].sort(),
    );
  });
});
