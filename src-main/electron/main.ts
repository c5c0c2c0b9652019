/**
 * Electron main process: owns the window, the menu and the IPC binding, and nothing else. The engine
 * runs in a utility process (engine-entry.ts, started on first use); main checks each call's sender
 * and payload, answers the file picker itself (dialogs belong to the window), and forwards the rest.
 */
import { app, dialog, Menu, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { IDLE_STATUS } from '../../shared/ipc/contract';
import { createDispatcher } from '../ipc/dispatch';
import { createEventHub } from '../ipc/event-hub';
import type { EngineHandlers } from '../ipc/engine-api';
import { ownRendererOnly } from '../ipc/sender';
import { createElectronIpc, forwardEvents } from './ipc';
import { startEngineProcess } from './engine-process';
import { buildMenu } from './menu';
import { printPdf } from './export';
import { printingPdfHere } from '../report/export';
import { createMainWindow, hardenApp } from './window';

const dev = !app.isPackaged;
// Bundled to dist/electron/main.cjs, beside preload.cjs; the renderer is dist/renderer/.
const paths = {
  engine: join(__dirname, 'engine.cjs'),
  // The Node capture helper (dist/capture-process.cjs), forked for the engine when the native one is absent.
  captureHelper: join(__dirname, '..', 'capture-process.cjs'),
  preload: join(__dirname, 'preload.cjs'),
  indexHtml: join(__dirname, '..', 'renderer', 'index.html'),
};

let mainWindow: BrowserWindow | null = null;

async function chooseCaptureFiles(): Promise<string[]> {
  const options: Electron.OpenDialogOptions = {
    title: 'Open capture',
    properties: ['openFile', 'multiSelections'],
    filters: [
      { name: 'Packet captures', extensions: ['pcap', 'pcapng', 'cap', 'dmp'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const r = mainWindow
    ? await dialog.showOpenDialog(mainWindow, options)
    : await dialog.showOpenDialog(options);
  return r.canceled ? [] : r.filePaths;
}

function start(): void {
  const hub = createEventHub();
  const engineProcess = startEngineProcess(paths.engine, paths.captureHelper, hub);
  app.on('will-quit', () => engineProcess.stop());
  const fromEngine = engineProcess.handlers.exportReport;
  const engine: EngineHandlers = {
    ...engineProcess.handlers,
    chooseCaptureFiles: async () => ({ supported: true, paths: await chooseCaptureFiles() }),
    // The engine renders the report; PDFs are printed here, where windows exist.
    exportReport: printingPdfHere(async (req) => fromEngine(req), printPdf),
  };
  const dispatch = createDispatcher(engine);
  createElectronIpc(ownRendererOnly(paths.indexHtml)).handleAll(engine);

  // The menu goes through the same validated path as the renderer; a refusal becomes a status event
  // so the window shows it where it shows every other capture state.
  const openFromMenu = async (): Promise<void> => {
    const chosen = await chooseCaptureFiles();
    if (chosen.length === 0) return;
    const r = await dispatch('openCapture', { paths: chosen });
    if (!r.ok) {
      hub.emit('captureStatus', {
        ...IDLE_STATUS,
        state: 'failed',
        source: { kind: 'file', paths: chosen },
        message: r.error.message,
      });
    }
  };

  Menu.setApplicationMenu(
    buildMenu(dev, {
      openCapture: () => void openFromMenu(),
      // Only the window knows which rows its grid shows: it exports them, as its Export button does.
      exportInventory: () => hub.emit('uiCommand', { command: 'export' }),
    }),
  );

  const open = (): void => {
    mainWindow = createMainWindow(paths, dev);
    forwardEvents(hub, mainWindow.webContents);
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  };
  open();
  app.on('activate', () => {
    if (mainWindow === null) open();
  });
}

hardenApp();
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.whenReady().then(start, (e: unknown) => {
    console.error('glasspane: could not start:', e instanceof Error ? e.message : e);
    app.exit(1);
  });
}
