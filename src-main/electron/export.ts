/**
 * PDF and File > Export… in the desktop app. The engine renders every report (exportReport); only
 * printing needs this process, because the engine's utility process has no BrowserWindow: a hidden,
 * script-less window loads the HTML report from a temporary file (a data: URL of a large report would
 * pass Chromium's URL limit) and Electron's printToPDF prints it.
 *
 * The menu exports the whole inventory (the grid's filters live in the renderer, whose own Export
 * buttons export what it shows), written atomically so a full disk never leaves half a report.
 */
import { BrowserWindow, dialog } from 'electron';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallResponse } from '../../shared/ipc/contract';
import type { Dispatch } from '../ipc/dispatch';
import { formatOfPath } from '../report/export';
import { writeFileAtomic } from '../report/write';

export async function printPdf(html: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'glasspane-report-'));
  const file = join(dir, 'report.html');
  const win = new BrowserWindow({ show: false, webPreferences: { sandbox: true, javascript: false } });
  try {
    await writeFile(file, html);
    await win.loadFile(file);
    return await win.webContents.printToPDF({ printBackground: true, preferCSSPageSize: true });
  } finally {
    win.destroy();
    await rm(dir, { recursive: true, force: true });
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
  // A name without a known extension gets the PDF report, the dialog's first choice.
  const format = formatOfPath(out) ?? 'pdf';
  const r = await dispatch('exportReport', { format });
  if (!r.ok) {
    dialog.showErrorBox('Export failed', r.error.message);
    return;
  }
  const answer = r.value as CallResponse<'exportReport'>;
  if (!answer.supported) {
    dialog.showErrorBox('Export failed', answer.message ?? `cannot export ${format}`);
    return;
  }
  try {
    await writeFileAtomic(out, Buffer.from(answer.content, 'base64'));
  } catch (e) {
    dialog.showErrorBox('Export failed', e instanceof Error ? e.message : String(e));
  }
}
