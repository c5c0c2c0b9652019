/**
 * Which frames may call the engine over Electron IPC: only the top frame of our own renderer document,
 * loaded from a file:// URL we chose. Anything else (a navigated-away page, an iframe, a devtools
 * extension page, a frame that is already gone) is refused.
 */
import { pathToFileURL } from 'node:url';

export interface SenderFrameLike {
  url: string;
  /** Electron's WebFrameMain.parent: null for a top-level frame. */
  parent?: unknown;
}

export type SenderCheck = (frame: SenderFrameLike | null | undefined) => boolean;

/** A check that accepts exactly the renderer at `indexHtmlPath` (query and fragment may vary). */
export function ownRendererOnly(indexHtmlPath: string): SenderCheck {
  const expected = pathToFileURL(indexHtmlPath);
  return (frame) => {
    if (!frame || typeof frame.url !== 'string') return false;
    if (frame.parent !== undefined && frame.parent !== null) return false;
    let url: URL;
    try {
      url = new URL(frame.url);
    } catch {
      return false;
    }
    return url.protocol === 'file:' && url.host === expected.host && url.pathname === expected.pathname;
  };
}
