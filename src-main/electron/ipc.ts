/**
 * The only place raw ipcMain is touched (ESLint forbids it elsewhere): it adapts Electron's ipcMain
 * and WebContents to the transport-agnostic wrapper in src-main/ipc/.
 */
import { ipcMain, type WebContents } from 'electron';
import type { EventListener } from '../ipc/engine-api';
import type { EventHub } from '../ipc/event-hub';
import { createIpcBridge, send, type IpcBridge, type IpcMainLike } from '../ipc/ipc-main';
import type { SenderCheck } from '../ipc/sender';

const electronIpcMain: IpcMainLike = {
  handle: (channel, listener) => ipcMain.handle(channel, (event, ...args) => listener(event, ...args)),
  removeHandler: (channel) => ipcMain.removeHandler(channel),
};

export function createElectronIpc(isTrustedSender: SenderCheck): IpcBridge {
  return createIpcBridge(electronIpcMain, isTrustedSender);
}

/** Streams every engine event to one window until it is gone; returns the unsubscribe function. */
export function forwardEvents(hub: EventHub, contents: WebContents): () => void {
  const listener: EventListener = (name, payload) => {
    send(contents, name, payload);
  };
  const unsubscribe = hub.subscribe(listener);
  contents.once('destroyed', unsubscribe);
  return unsubscribe;
}
