/**
 * `glasspane report`: CSV with formulas neutralised, JSON in the inventory schema, a self-contained
 * HTML report in which hostile strings from the wire stay text, a PDF through Chromium (or HTML with
 * a clear message without one), and clear errors for paths that cannot be written.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { after, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { INVENTORY_SCHEMA, type InventoryJson } from '../../shared/model/inventory';
import { demoCapturePath } from '../../src-main/demo/demo-path';
import { NET } from '../../src-main/demo/network';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { renderHtmlReport } from '../../src-main/report/html';
import { inventoryFromCaptures } from '../../src-main/report/load';
import { DEFAULT_CHROMIUM } from '../../src-main/report/pdf';
import { formatOf, reportCommand } from '../../src-main/report/report-command';
import { explainWriteError } from '../../src-main/report/write';
import { FORMULA_NAME, HOSTILE, MODBUS_IDENTITY, SCRIPT_NAME, writeHostileCapture } from './hostile';

const tmp = mkdtempSync(join(tmpdir(), 'gp-report-'));
process.env.GLASSPANE_CACHE_DIR = join(tmp, 'cache');
const hostile = writeHostileCapture(join(tmp, 'hostile.pcap'));
const haveChromium = existsSync(DEFAULT_CHROMIUM);
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the command with stderr captured. */
async function report(inputs: string[], o: Parameters<typeof reportCommand>[1]) {
  const write = process.stderr.write.bind(process.stderr);
  let err = '';
  process.stderr.write = ((s: string | Uint8Array) => {
    err += String(s);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await reportCommand(inputs, o);
    return { code, err };
  } finally {
    process.stderr.write = write;
  }
}

test('the hostile strings reach the inventory through the real dissectors (DHCP, Modbus)', async () => {
  const { inventory } = await inventoryFromCaptures([hostile]);
  const by = (mac: string) => inventory.devices.find((d) => d.mac === mac);
  assert.equal(by(HOSTILE.formula.mac)?.hostname, FORMULA_NAME);
  assert.equal(by(HOSTILE.script.mac)?.hostname, SCRIPT_NAME);
  assert.equal(by(HOSTILE.plc.mac)?.vendor, MODBUS_IDENTITY[0]);
  assert.equal(by(HOSTILE.plc.mac)?.firmware, MODBUS_IDENTITY[2]);
});

test('CSV: every cell that a spreadsheet would run as a formula is neutralised', async () => {
  const out = join(tmp, 'hostile.csv');
  assert.equal((await report([hostile], { out })).code, 0);
  const rows = parse(readFileSync(out, 'utf8')) as string[][];
  const head = rows[0]!;
  const col = (name: string) => head.indexOf(name);
  const row = (mac: string) => rows.find((r) => r[col('mac')] === mac)!;
  assert.equal(row(HOSTILE.formula.mac)[col('hostname')], "'" + FORMULA_NAME);
  assert.equal(row(HOSTILE.script.mac)[col('hostname')], SCRIPT_NAME, 'not a formula: left as it is');
  assert.equal(row(HOSTILE.plc.mac)[col('firmware')], "'" + MODBUS_IDENTITY[2]);
  for (const r of rows) for (const c of r) assert.doesNotMatch(c, /^[=+\-@\t\r]/, `unneutralised cell ${c}`);
});

test('JSON: the inventory schema, strings as data', async () => {
  const out = join(tmp, 'hostile.json');
  assert.equal((await report([hostile], { out })).code, 0);
  const inv = JSON.parse(readFileSync(out, 'utf8')) as InventoryJson;
  assert.equal(inv.schema, INVENTORY_SCHEMA);
  assert.ok(inv.devices.some((d) => d.hostname === SCRIPT_NAME));
  assert.equal(inv.devices.length, 4);
});

test('HTML: self-contained, a CSP that forbids scripts, and hostile strings escaped', async () => {
  const out = join(tmp, 'hostile.html');
  assert.equal((await report([hostile], { out })).code, 0);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';[^"]*"/);
  assert.doesNotMatch(html, /script-src/);
  assert.doesNotMatch(html, /<script/i, 'no script element at all');
  assert.doesNotMatch(html, /<img/i);
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('&lt;img src=x onerror=alert(2)&gt;'));
  assert.ok(html.includes('=HYPERLINK(&quot;http://x&quot;)'));
  assert.doesNotMatch(html, /(src|href)=["']?(https?:|\/\/)/, 'no external resource');
  assert.match(html, /<svg[^>]*aria-label="Vendor"/);
  assert.match(html, /<svg[^>]*aria-label="Topology"/);
});

test('HTML in a browser: the script text shows as text, no script runs, no dialog opens', async (t) => {
  if (!haveChromium) return t.skip(`${DEFAULT_CHROMIUM} is absent`);
  const { chromium } = await import('playwright-core');
  const out = join(tmp, 'browser.html');
  assert.equal((await report([hostile], { out })).code, 0);
  const browser = await chromium.launch({
    executablePath: DEFAULT_CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto('file://' + out);
    assert.equal(await page.locator('script').count(), 0);
    assert.equal(await page.locator('img').count(), 0);
    const table = (await page.locator('#devices').textContent()) ?? '';
    assert.ok(table.includes(SCRIPT_NAME));
    assert.ok(table.includes(MODBUS_IDENTITY[0]));
    assert.ok(table.includes(FORMULA_NAME));
    await page.waitForTimeout(200);
    assert.deepEqual(dialogs, []);
  } finally {
    await browser.close();
  }
});

test('HTML: alerts from a store are listed, escaped; without a store the report says where alerts live', () => {
  // An empty inventory as the engine makes one (no devices: the alerts are what is looked at).
  const inv = createAnalyzer().snapshot();
  const html = renderHtmlReport(inv, {
    sources: ['<b>x</b>'],
    alerts: [
      {
        id: 'a1',
        at: '2026-01-01T00:00:01Z',
        severity: 'high',
        kind: 'new-device',
        deviceId: null,
        message: '<script>x</script> joined',
        detail: {},
      },
    ],
  });
  assert.ok(html.includes('&lt;script&gt;x&lt;/script&gt; joined'));
  assert.ok(html.includes('&lt;b&gt;x&lt;/b&gt;'));
  assert.doesNotMatch(html, /<script/i);
  const none = renderHtmlReport(inv, {
    sources: [],
    alertsUnavailable: 'Alerts are kept by the device store.',
  });
  assert.match(none, /Alerts are kept by the device store/);
});

/** The text of a PDF's /Title (Chromium writes the document's title as a UTF-16BE hex or literal string). */
function pdfTitle(pdf: Buffer): string | null {
  const s = pdf.toString('latin1');
  const hex = /\/Title\s*<FEFF([0-9A-Fa-f]*)>/.exec(s);
  if (hex) return Buffer.from(hex[1]!, 'hex').swap16().toString('utf16le');
  const lit = /\/Title\s*\(((?:\\.|[^\\)])*)\)/.exec(s);
  return lit ? lit[1]!.replace(/\\(.)/g, '$1') : null;
}

test('PDF: printed by Chromium, with the device count in its title and several pages', async (t) => {
  if (!haveChromium) return t.skip(`${DEFAULT_CHROMIUM} is absent`);
  const demo = await demoCapturePath();
  const out = join(tmp, 'demo.pdf');
  const r = await report([demo], { out });
  assert.equal(r.code, 0, r.err);
  const pdf = readFileSync(out);
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.match(pdf.subarray(-64).toString('latin1'), /%%EOF\s*$/);
  const devices = Object.keys(NET).length + 4;
  assert.equal(pdfTitle(pdf), `Glasspane inventory report (${devices} devices)`);
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? []).length;
  assert.ok(pages >= 2, `${pages} pages`);
  // The page content streams are real drawing (compressed): inflate one and find text operators.
  const streams = [...pdf.toString('latin1').matchAll(/stream\r?\n/g)].map((m) => m.index! + m[0].length);
  const drawn = streams.some((at) => {
    try {
      return /\bTJ?\b/.test(inflateSync(pdf.subarray(at)).toString('latin1'));
    } catch {
      return false;
    }
  });
  assert.ok(drawn, 'no text drawn in any stream');
  assert.match(r.err, new RegExp(`wrote .*demo\\.pdf \\(${devices} devices\\)`));
});

test('PDF without Chromium: writes the HTML beside it and says so', async () => {
  const out = join(tmp, 'nochrome.pdf');
  const r = await report([hostile], { out, chromium: null });
  assert.equal(r.code, 0);
  assert.equal(existsSync(out), false);
  assert.ok(readFileSync(join(tmp, 'nochrome.html'), 'utf8').startsWith('<!doctype html>'));
  assert.match(r.err, /cannot make a PDF: no Chromium found.*wrote the HTML report to .*nochrome\.html/);
});

test('unwritable paths and bad arguments: exit 2 with a reason, no stray temporary files', async () => {
  const dir = join(tmp, 'w');
  mkdirSync(dir);
  writeFileSync(join(dir, 'file'), 'x');
  const cases: [string[], Parameters<typeof reportCommand>[1], RegExp][] = [
    [[hostile], { out: join(tmp, 'missing-dir', 'r.html') }, /the folder does not exist/],
    [[hostile], { out: join(dir, 'file', 'r.csv') }, /not a folder/],
    [[hostile], { out: join(tmp, 'r.docx') }, /end it in \.pdf, \.html, \.csv or \.json/],
    [[hostile], {}, /--out/],
    [[], { out: join(tmp, 'r.html') }, /capture files or --db/],
    [[hostile], { out: join(tmp, 'r.html'), db: join(tmp, 'x.db') }, /not both/],
    [[], { out: join(tmp, 'r.html'), db: join(tmp, 'nope.db') }, /no device store at/],
    [[join(tmp, 'nope.pcap')], { out: join(tmp, 'r.html') }, /nope\.pcap/],
  ];
  for (const [inputs, o, why] of cases) {
    const r = await report(inputs, o);
    assert.equal(r.code, 2, `${JSON.stringify(o)}: ${r.err}`);
    assert.match(r.err, why);
  }
  assert.deepEqual(readdirSync(dir), ['file']);
  assert.ok(!readdirSync(tmp).some((f) => f.endsWith('.tmp')), 'temporary files left behind');
  const full = Object.assign(new Error('no space'), { code: 'ENOSPC' });
  assert.equal(
    explainWriteError('/x/r.pdf', full),
    'cannot write /x/r.pdf: the disk is full; free some space or write elsewhere',
  );
});

test('a report replaces an older one in place (rename), and the format comes from the extension', async () => {
  const out = join(tmp, 'replace.json');
  writeFileSync(out, 'old');
  assert.equal((await report([hostile], { out })).code, 0);
  assert.equal((JSON.parse(readFileSync(out, 'utf8')) as InventoryJson).schema, INVENTORY_SCHEMA);
  assert.equal(formatOf('A.PDF'), 'pdf');
  assert.equal(formatOf('a.htm'), 'html');
});
