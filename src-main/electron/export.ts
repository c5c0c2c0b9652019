/**
 * File > Export…: the inventory report from the desktop app. The engine's snapshot becomes CSV,
 * JSON, HTML, or a PDF that Electron prints itself (printToPDF of the same HTML report the CLI
 * writes, in a hidden window with JavaScript off). The file is written through a temporary file,
 * so a full disk never leaves half a report.
 */
import { BrowserWindow, dialog } from 'electron';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Dispatch } from '../ipc/dispatch';
import type { Snapshot } from '../../shared/ipc/contract';
import { INVENTORY_SCHEMA, type InventoryJson } from '../../shared/model/inventory';
import { renderHtmlReport } from '../report/html';
import { toCsv, toJson } from '../cli/format';

function asInventory(s: Snapshot): InventoryJson {
  const c = s.status.counters;
  return {
    schema: INVENTORY_SCHEMA,
    generatedAt: new Date().toISOString(),
    stats: {
      packets: c.packets,
      bytes: c.bytes,
      malformed: c.malformed,
      snapTruncated: 0,
      laterFragments: 0,
      unknownLinkType: 0,
      dissectorErrors: 0,
      repeats: 0,
      malformedBy: {},
      observations: 0,
      devices: s.devices.length,
      edges: s.edges.length,
      firstSeen: null,
      lastSeen: null,
      sources: [],
    },
    devices: s.devices,
    edges: s.edges,
  };
}

async function printPdf(html: string): Promise<Buffer> {
  const win = new BrowserWindow({ show: false, webPreferences: { sandbox: true, javascript: false } });
  try {
    await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    return await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
  } finally {
    win.destroy();
  }
}

export async function exportInventory(parent: BrowserWindow | null, dispatch: Dispatch): Promise<void> {
  const options: Electron.SaveDialogOptions = {
    title: 'Export inventory',
    defaultPath: 'glasspane-inventory.pdf',
    filters: [
      { name: 'PDF report', extensions: ['pdf'] },
      { name: 'HTML report', extensions: ['html'] },
      { name: 'CSV', extensions: ['csv'] },
      { name: 'JSON', extensions: ['json'] },
    ],
  };
  const chosen = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
  if (chosen.canceled || chosen.filePath === undefined) return;
  const out = chosen.filePath;
  const r = await dispatch('getSnapshot', {});
  if (!r.ok) {
    dialog.showErrorBox('Export failed', r.error.message);
    return;
  }
  const snap = r.value as Snapshot;
  const inv = asInventory(snap);
  const sources = snap.status.source?.kind === 'file' ? snap.status.source.paths : ['live capture'];
  const ext = extname(out).toLowerCase();
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    const html = () => renderHtmlReport(inv, { sources, generator: 'Glasspane desktop' });
    const body =
      ext === '.csv'
        ? toCsv(inv)
        : ext === '.json'
          ? toJson(inv)
          : ext === '.html'
            ? html()
            : await printPdf(html());
    await writeFile(tmp, body);
    await rename(tmp, out);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOSPC' ? 'the disk is full; free some space or choose another place' : err.message;
    dialog.showErrorBox('Export failed', `${out} could not be written: ${why}`);
  }
}
