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

const hub = createEventHub();
serveEngine(port, createDispatcher(createEngine({ hub })), hub);
