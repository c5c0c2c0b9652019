/**
 * A typed wrapper over an ipcMain-shaped object: `handle(name, fn)` for calls, `send(target, event,
 * payload)` for events. It owns the two checks every call gets before a handler sees it: the sender
 * is our own renderer, and the payload passes the contract's schema. The raw Electron binding lives in
 * src-main/electron/ipc.ts; tests drive this through a fake of IpcMainLike.
 */
import {
  CALL_NAMES,
  callChannel,
  eventChannel,
  type CallName,
  type EventName,
} from '../../shared/ipc/channels';
import type { CallResult, EventPayload } from '../../shared/ipc/contract';
import { runCall, type Logger } from './dispatch';
import type { CallHandler, EngineHandlers } from './engine-api';
import type { SenderCheck, SenderFrameLike } from './sender';

/** The part of an Electron invoke event we look at. */
export interface IpcInvokeEventLike {
  senderFrame: SenderFrameLike | null;
}

/** The part of Electron's ipcMain we use. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
}

/** The part of a WebContents we send events through. */
export interface IpcTargetLike {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

export interface IpcBridge {
  handle<K extends CallName>(name: K, handler: CallHandler<K>): void;
  /** Registers every call of the contract at once; the type makes a missing handler a compile error. */
  handleAll(handlers: EngineHandlers): void;
  /** Unregisters everything this bridge registered. */
  dispose(): void;
}

export function createIpcBridge(
  ipc: IpcMainLike,
  isTrustedSender: SenderCheck,
  log: Logger = console.warn,
): IpcBridge {
  const registered = new Set<CallName>();

  function handle<K extends CallName>(name: K, handler: CallHandler<K>): void {
    const channel = callChannel(name);
    if (registered.has(name)) ipc.removeHandler(channel);
    registered.add(name);
    ipc.handle(channel, async (event, ...args): Promise<CallResult<unknown>> => {
      if (!isTrustedSender(event.senderFrame)) {
        log(`ipc: refused ${name} from untrusted sender ${String(event.senderFrame?.url).slice(0, 200)}`);
        return { ok: false, error: { code: 'forbidden', message: `${name}: sender not allowed` } };
      }
      if (args.length !== 1) {
        return {
          ok: false,
          error: { code: 'bad-request', message: `${name}: expected one payload argument` },
        };
      }
      return runCall(name, handler, args[0], log);
    });
  }

  return {
    handle,
    handleAll(handlers) {
      for (const name of CALL_NAMES) handle(name, handlers[name] as CallHandler<typeof name>);
    },
    dispose() {
      for (const name of registered) ipc.removeHandler(callChannel(name));
      registered.clear();
    },
  };
}

/** Sends one event to one renderer; a destroyed target is skipped (the window closed mid-stream). */
export function send<K extends EventName>(target: IpcTargetLike, name: K, payload: EventPayload<K>): boolean {
  if (target.isDestroyed()) return false;
  target.send(eventChannel(name), payload);
  return true;
}
