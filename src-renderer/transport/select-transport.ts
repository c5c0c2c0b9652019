/** Picks the transport for where this page runs: the desktop app's bridge, else the console host. */
import { WS_PATH } from '../../shared/ipc/wire';
import { electronTransport } from './electron-transport';
import type { Transport } from './transport';
import { websocketTransport } from './websocket-transport';

const TOKEN_KEY = 'glasspane.token';

/**
 * The console token arrives as `?token=`; it is moved to sessionStorage and removed from the address
 * bar, so it survives a reload but not a copied link or a screenshot.
 */
function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    try {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage may be disabled; the token still works for this page view.
    }
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function selectTransport(): Transport {
  if (window.glasspane) return electronTransport(window.glasspane);
  const { protocol, host } = window.location;
  const scheme = protocol === 'https:' ? 'wss:' : 'ws:';
  // Opened from a file without a host: there is nothing to connect to; say so instead of retrying.
  const token = protocol === 'http:' || protocol === 'https:' ? takeToken() : null;
  return websocketTransport({ url: `${scheme}//${host}${WS_PATH}`, token });
}
