/**
 * Runs sandboxed before the renderer, with contextIsolation: exposes ONE small object and refuses any
 * channel name the contract does not list. The Electron event object (which holds ipcRenderer) never
 * reaches the page; only the payload does.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { GlasspaneBridge } from '../../shared/ipc/bridge';
import { callChannel, eventChannel, isCallName, isEventName } from '../../shared/ipc/channels';

const bridge: GlasspaneBridge = {
  call(name, payload) {
    if (!isCallName(name)) return Promise.reject(new Error('glasspane: unknown call'));
    return ipcRenderer.invoke(callChannel(name), payload);
  },
  on(name, listener) {
    if (!isEventName(name) || typeof listener !== 'function') throw new Error('glasspane: unknown event');
    const channel = eventChannel(name);
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
  // Only a path string crosses: what the user dropped is what the engine may open, nothing more.
  pathForFile(file) {
    return webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]);
  },
};

contextBridge.exposeInMainWorld('glasspane', bridge);
