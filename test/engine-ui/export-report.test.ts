/**
 * exportReport of the UI engine: the devices asked for (and only those), with edits applied, as CSV
 * with formulas neutralised, JSON, HTML with wire strings escaped, and PDF through the local
 * Chromium; without a printer, or past the size limit, a refusal that says what to do.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { calls, type CallResponse } from '../../shared/ipc/contract';
import { INVENTORY_SCHEMA, type DeviceJson, type InventoryJson } from '../../shared/model/inventory';
import { createEngine, type EngineOptions } from '../../src-main/engine/engine';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { chromiumPrinter, DEFAULT_CHROMIUM } from '../../src-main/report/pdf';
import { printingPdfHere } from '../../src-main/report/export';
import { CMD_NAME, OFFICE, SCRIPT_NAME, writeOfficeCapture } from '../report/export-capture';
import { pdfText } from '../report/pdf-text';
import { get, missingRequired, OCSF_VERSION_TESTED } from '../forward/ocsf-required';

const tmp = mkdtempSync(join(tmpdir(), 'gp-export-'));
const capture = writeOfficeCapture(join(tmp, 'office.pcap'));
after(() => rmSync(tmp, { recursive: true, force: true }));

type Answer = CallResponse<'exportReport'>;

async function analysed(o: Partial<EngineOptions> = {}) {
  const engine = createEngine({ hub: createEventHub(), collectMs: 20, ...o });
  await engine.openCapture({ paths: [capture] });
  await engine.idle;
  const snap = await engine.getSnapshot({});
  const byMac = (mac: string): DeviceJson => {
    const d = snap.devices.find((x) => x.mac === mac);
    assert.ok(d, `${mac} is not in the snapshot`);
    return d;
  };
  return { engine, snap, byMac };
}

/** The answer, checked against the contract, and its content decoded. */
function body(a: Answer): Buffer {
  assert.ok(calls.exportReport.response.safeParse(a).success, 'the answer fails the contract');
  assert.equal(a.supported, true, a.message ?? '');
  return Buffer.from(a.content, 'base64');
}

test('the crafted names reach the inventory through DHCP', async () => {
  const { engine, byMac } = await analysed();
  try {
    assert.equal(byMac(OFFICE.cmd.mac).hostname, CMD_NAME);
    assert.equal(byMac(OFFICE.script.mac).hostname, SCRIPT_NAME);
  } finally {
    await engine.close();
  }
});

test('CSV of a filtered id set: exactly those devices, formula cells neutralised, edits applied', async () => {
  const { engine, snap, byMac } = await analysed();
  try {
    const cmd = byMac(OFFICE.cmd.mac);
    const pc = byMac(OFFICE.pc.mac);
    await engine.editDevice({ id: pc.id, vendor: 'Edited Vendor' });
    const a = await engine.exportReport({
      format: 'csv',
      deviceIds: [cmd.id, pc.id, 'mac:02:99:99:99:99:99'],
    });
    assert.equal(a.devices, 2, 'the unknown id is ignored');
    assert.match(a.mime, /^text\/csv/);
    assert.match(a.fileName, /\.csv$/);
    const rows = parse(body(a).toString('utf8')) as string[][];
    const head = rows[0]!;
    const col = (n: string) => head.indexOf(n);
    assert.deepEqual(
      rows
        .slice(1)
        .map((r) => r[col('id')])
        .sort(),
      [cmd.id, pc.id].sort(),
    );
    const row = (id: string) => rows.find((r) => r[col('id')] === id)!;
    assert.equal(row(cmd.id)[col('hostname')], "'" + CMD_NAME);
    assert.equal(row(pc.id)[col('vendor')], 'Edited Vendor');
    for (const r of rows)
      for (const c of r) assert.doesNotMatch(c, /^[=+\-@\t\r]/, `unneutralised cell ${c}`);
    // Without ids: every device.
    const all = await engine.exportReport({ format: 'csv' });
    assert.equal(all.devices, snap.devices.length);
    assert.equal((parse(body(all).toString('utf8')) as string[][]).length, snap.devices.length + 1);
  } finally {
    await engine.close();
  }
});

test('JSON: the inventory schema with the chosen devices and only the edges among them', async () => {
  const { engine, snap, byMac } = await analysed();
  try {
    const ids = [byMac(OFFICE.cmd.mac).id, byMac(OFFICE.pc.mac).id, byMac(OFFICE.printer.mac).id];
    const a = await engine.exportReport({ format: 'json', deviceIds: ids });
    assert.equal(a.mime, 'application/json');
    const inv = JSON.parse(body(a).toString('utf8')) as InventoryJson;
    assert.equal(inv.schema, INVENTORY_SCHEMA);
    assert.deepEqual(inv.devices.map((d) => d.id).sort(), [...ids].sort());
    // The device as the snapshot has it, plus the identity section its details carry.
    const { identity, ...exported } = inv.devices.find((d) => d.mac === OFFICE.cmd.mac)!;
    const shown = snap.devices.find((d) => d.mac === OFFICE.cmd.mac)!;
    assert.deepEqual(exported, shown, 'the device as the snapshot has it');
    assert.ok(identity !== undefined && Object.keys(identity).length > 0, 'the export carries its identity');
    assert.deepEqual(identity, (await engine.getDevice({ id: shown.id })).identity);
    const inside = snap.edges.filter((e) => ids.includes(e.a) && ids.includes(e.b));
    assert.ok(inside.length >= 3, 'cmd-pc, pc-printer and cmd-printer talk');
    assert.ok(snap.edges.length > inside.length, 'the script host talks too, outside the selection');
    assert.deepEqual(inv.edges.map((e) => `${e.a}|${e.b}`).sort(), inside.map((e) => `${e.a}|${e.b}`).sort());
    assert.equal(inv.stats.devices, 3);
    assert.ok(inv.stats.packets >= 8, 'the capture’s counters');
  } finally {
    await engine.close();
  }
});

test('HTML: the device table of the selection, wire strings escaped, the title given, their alerts', async () => {
  const { engine, byMac } = await analysed({ learnMs: 0 });
  try {
    const script = byMac(OFFICE.script.mac);
    const pc = byMac(OFFICE.pc.mac);
    const a = await engine.exportReport({
      format: 'html',
      deviceIds: [script.id, pc.id],
      title: 'Floor <2>',
    });
    assert.equal(a.devices, 2);
    assert.match(a.mime, /^text\/html/);
    const html = body(a).toString('utf8');
    const table = /<table id="devices">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    assert.equal((table.match(/<tr>/g) ?? []).length, 1 + 2, 'a header row and two devices');
    assert.ok(table.includes(OFFICE.pc.name));
    assert.ok(!table.includes(OFFICE.printer.name), 'a device left out is not in the table');
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    assert.ok(!html.includes(SCRIPT_NAME), 'no raw script tag');
    assert.ok(!/<script/i.test(html), 'no script at all');
    assert.match(html, /<title>Floor &lt;2&gt; \(2 devices\)<\/title>/);
    // Learning nothing, every device raised new-device: the report lists those of the two, and no other.
    const listed = await engine.listAlerts({});
    const theirs = listed.alerts.filter((x) => x.deviceId === script.id || x.deviceId === pc.id);
    assert.ok(theirs.length >= 2, `alerts of the two: ${listed.alerts.map((x) => x.deviceId).join(' ')}`);
    assert.ok(listed.alerts.length > theirs.length);
    assert.equal((html.match(/<tr class="sev-/g) ?? []).length, theirs.length);
  } finally {
    await engine.close();
  }
});

test('OCSF: a 5001 record per chosen device and a 2004 per alert of theirs, every required attribute', async () => {
  const { engine, byMac } = await analysed({ learnMs: 0 });
  try {
    const script = byMac(OFFICE.script.mac);
    const pc = byMac(OFFICE.pc.mac);
    const a = await engine.exportReport({ format: 'ocsf', deviceIds: [script.id, pc.id] });
    assert.equal(a.mime, 'application/x-ndjson');
    assert.match(a.fileName, /\.ocsf\.jsonl$/);
    const records = body(a)
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records) assert.deepEqual(missingRequired(r), [], JSON.stringify(r));
    const inventory = records.filter((r) => r.class_uid === 5001);
    assert.deepEqual(
      inventory.map((r) => get(r, 'type_uid')),
      [500102, 500102],
    );
    assert.deepEqual(
      inventory.map((r) => get(r, 'device.mac')).sort(),
      [script.mac, pc.mac].map((m) => m!.toUpperCase()).sort(),
    );
    // Learning nothing, both raised new-device: their findings, and no other device's.
    const listed = await engine.listAlerts({});
    const theirs = listed.alerts.filter((x) => x.deviceId === script.id || x.deviceId === pc.id);
    assert.ok(theirs.length >= 2 && listed.alerts.length > theirs.length);
    const findings = records.filter((r) => r.class_uid === 2004);
    assert.deepEqual(findings.map((r) => get(r, 'finding_info.uid')).sort(), theirs.map((x) => x.id).sort());
    assert.equal(get(records[0], 'metadata.version'), OCSF_VERSION_TESTED);
  } finally {
    await engine.close();
  }
});

test('PDF without a printer: supported false, saying what to do', async () => {
  const { engine } = await analysed();
  try {
    const a = await engine.exportReport({ format: 'pdf' });
    assert.ok(calls.exportReport.response.safeParse(a).success);
    assert.equal(a.supported, false);
    assert.equal(a.content, '');
    assert.match(a.message ?? '', /chromium/i);
    assert.match(a.message ?? '', /HTML/);
    // A printer that fails is a refusal with its reason, not a crash.
    const { engine: e2 } = await analysed({
      printPdf: () => Promise.reject(new Error('printer on fire')),
    });
    try {
      const b = await e2.exportReport({ format: 'pdf' });
      assert.equal(b.supported, false);
      assert.match(b.message ?? '', /printer on fire/);
    } finally {
      await e2.close();
    }
  } finally {
    await engine.close();
  }
});

test('a report larger than the limit is refused with a message', async () => {
  const { engine } = await analysed({ maxReportChars: 600 });
  try {
    const a = await engine.exportReport({ format: 'csv' });
    assert.ok(calls.exportReport.response.safeParse(a).success);
    assert.equal(a.supported, false);
    assert.equal(a.content, '');
    assert.equal(a.devices, 4);
    assert.match(a.message ?? '', /filter the inventory to fewer devices/);
    // The engine still answers.
    const small = await engine.exportReport({ format: 'csv', deviceIds: [] });
    assert.equal(small.devices, 0);
    assert.equal(small.supported, true, 'a header alone fits');
  } finally {
    await engine.close();
  }
});

test('PDF through the local Chromium: a PDF of the selection', async (t) => {
  if (!existsSync(DEFAULT_CHROMIUM)) return t.skip(`${DEFAULT_CHROMIUM} is absent`);
  const { engine, byMac } = await analysed({ printPdf: chromiumPrinter(DEFAULT_CHROMIUM)! });
  try {
    const pc = byMac(OFFICE.pc.mac);
    const printer = byMac(OFFICE.printer.mac);
    const a = await engine.exportReport({ format: 'pdf', deviceIds: [pc.id, printer.id] });
    assert.equal(a.mime, 'application/pdf');
    assert.match(a.fileName, /\.pdf$/);
    const pdf = body(a);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const text = pdfText(pdf);
    assert.ok(text.includes(OFFICE.pc.name), `the PC's name is in the PDF's text`);
    assert.ok(text.includes(OFFICE.printer.name));
    assert.ok(!text.includes(OFFICE.script.name.slice(1, 7)), 'a device left out is not');
  } finally {
    await engine.close();
  }
});

test('a host that prints elsewhere (Electron main): PDF asks the engine for HTML and prints that', async () => {
  const { engine, byMac } = await analysed();
  try {
    const printed: string[] = [];
    const exportReport = printingPdfHere(
      async (req) => engine.exportReport(req),
      async (html) => {
        printed.push(html);
        return Buffer.from('%PDF-1.4 fake');
      },
    );
    const pc = byMac(OFFICE.pc.mac);
    const a = await exportReport({ format: 'pdf', deviceIds: [pc.id], title: 'Main' });
    assert.equal(a.mime, 'application/pdf');
    assert.equal(body(a).toString('latin1'), '%PDF-1.4 fake');
    assert.equal(a.devices, 1);
    assert.equal(printed.length, 1);
    assert.match(printed[0]!, /<title>Main \(1 devices\)<\/title>/);
    assert.ok(printed[0]!.includes(OFFICE.pc.name));
    // Other formats pass through untouched.
    const csv = await exportReport({ format: 'csv', deviceIds: [pc.id] });
    assert.match(body(csv).toString('utf8'), /office-pc-13/);
    assert.equal(printed.length, 1);
  } finally {
    await engine.close();
  }
});
