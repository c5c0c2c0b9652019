/**
 * Entry of the engine's utility process (utilityProcess.fork from main.ts): everything that decodes,
 * classifies or touches libpcap runs here, off the main process. It talks to main only through
 * process.parentPort, with the protocol of src-main/ipc/engine-port.ts. File dialogs stay in main,
 * which answers chooseCaptureFiles itself.
 */
import { createEngine } from '../engine/engine';
import { createDispatcher } from '../ipc/dispatch';
import { serveEngine, type PortLike } from '../ipc/engine-port';
import { createEventHub } from '../ipc/event-hub';
import { Store } from '../store/store';
import { defaultDbPath } from '../store/paths';
import type { DeviceEdits } from '../../shared/inventory/edits';

const parent = process.parentPort;

const port: PortLike = {
  post: (message) => parent.postMessage(message),
  listen: (listener) => {
    const onMessage = (e: Electron.MessageEvent) => listener(e.data);
    parent.on('message', onMessage);
    return () => {
      parent.removeListener('message', onMessage);
    };
  },
};

/**
 * The device store in the app's data folder: what the app learned survives a restart and a crash
 * (each batch is one transaction). If it cannot be opened, the app still works, without memory.
 */
function openStore(): Store | null {
  try {
    return new Store(defaultDbPath());
  } catch (e) {
    console.error(
      `glasspane: the device store could not be opened, nothing will be kept: ${e instanceof Error ? e.message : e}`,
    );
    return null;
  }
}

const hub = createEventHub();
const store = openStore();
/** Edits made in earlier sessions, so they outrank the rules again from the first delta. */
function storedEdits(): Map<string, DeviceEdits> {
  const out = new Map<string, DeviceEdits>();
  for (const d of store?.devices() ?? []) {
    const { name, type, vendor, notes } = d.manual;
    if (name ?? type ?? vendor ?? notes) out.set(d.id, { name, type, vendor, notes });
  }
  return out;
}

const engine = createEngine({
  hub,
  edits: storedEdits(),
  onEdit: (id, field, value) => {
    try {
      store?.edit(id, field, value);
    } catch (e) {
      // A device not yet written by the store (its first batch is pending) keeps the edit in memory.
      console.error(`glasspane: the edit of ${id} was not stored: ${e instanceof Error ? e.message : e}`);
    }
  },
  onBatch: (b) => {
    try {
      store?.commit(b);
    } catch (e) {
      console.error(`glasspane: the device store stopped recording: ${e instanceof Error ? e.message : e}`);
    }
  },
});
serveEngine(port, createDispatcher(engine), hub);
process.on('exit', () => store?.close());
