/**
 * PDF in the desktop app. The engine renders every report (exportReport); only printing needs this
 * process, because the engine's utility process has no BrowserWindow: a hidden, script-less window
 * loads the HTML report from a temporary file (a data: URL of a large report would pass Chromium's
 * URL limit) and Electron's printToPDF prints it. File > Export… asks the window to export (the
 * uiCommand event): only the renderer knows which rows its grid shows.
 */
import { BrowserWindow } from 'electron';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
