/**
 * The one object the Electron preload exposes to the renderer as `window.glasspane`. It only moves
 * opaque payloads on allowed channel names; the renderer validates everything it receives with
 * contract.ts, and the main process validates everything it is sent.
 */
import type { CallName, EventName } from './channels';

export interface GlasspaneBridge {
  /** Resolves with the raw CallResult envelope from the main process. */
  call(name: CallName, payload: unknown): Promise<unknown>;
  /** Subscribes to one event; returns the unsubscribe function. */
  on(name: EventName, listener: (payload: unknown) => void): () => void;
  /**
   * The filesystem path of a file dropped on the window (Electron's webUtils.getPathForFile; File.path
   * is gone since Electron 32). Absent in a browser, which never reveals paths.
   */
  pathForFile?(file: unknown): string;
}
