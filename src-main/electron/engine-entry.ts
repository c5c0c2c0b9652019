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
import { defaultDataDir, defaultDbPath } from '../store/paths';
import { join } from 'node:path';
import { relayedHelperLauncher } from '../capture/live/helper-relay';

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
// The engine loads the edits the store holds, commits every batch with its alerts, and shows what
// the store last recorded until the first capture of this session.
const engine = createEngine({
  hub,
  store: store ?? undefined,
  log: (m) => console.error(`glasspane: ${m}`),
  // Where the native capture helper is absent (Windows), main forks the Node one for us.
  live: { launchNode: relayedHelperLauncher(port) },
  // The Forwarding settings and their queues, in the per-user data folder.
  forwardingDir: defaultDataDir(),
  // The connection dialog's sensors, kept where `glasspane serve` keeps them (docs/sensors.md).
  connectionFile: join(defaultDataDir(), 'console', 'sensors.json'),
});
serveEngine(port, createDispatcher(engine), hub);
process.on('exit', () => store?.close());
