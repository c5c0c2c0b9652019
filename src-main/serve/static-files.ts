/**
 * The renderer's files over HTTP: GET and HEAD only, files directly under the build folder, no
 * directory listings, no way out of the folder (decoded '..', backslashes, NUL, symlinks that lead
 * elsewhere), no source maps (a dev build's would hand out the sources), a fixed content type per
 * extension and the renderer's CSP as a header.
 */
import { realpath, readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

/** The renderer's own policy (src-renderer/index.html), plus what only a header can say. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Files larger than this are not served (the bundle is a few MB). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

function plain(res: ServerResponse, code: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(code, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...extra });
  res.end(text + '\n');
}

/**
 * Maps a request path to a file path under `root`, or null when it is not a plain relative path.
 * Checks the decoded path segment by segment: '%2e%2e', '%2f' and '\\' must not smuggle a '..'.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || !decoded.startsWith('/')) return null;
  const segments = decoded.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.' || s.startsWith('.'))) return null;
  if (decoded.toLowerCase().endsWith('.map')) return null;
  // Browsers ask for /favicon.ico on their own; the page's icon answers (an SVG, typed as one).
  const rel = decoded === '/' ? 'index.html' : decoded === '/favicon.ico' ? 'icon.svg' : segments.join('/');
  if (rel === '' || rel.endsWith('/')) return null;
  const base = resolve(root);
  const file = resolve(join(base, rel));
  return file.startsWith(base + sep) ? file : null;
}

export function createStaticHandler(root: string | null) {
  const realRoot = root === null ? Promise.resolve(null) : realpath(root).catch(() => null);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
      return;
    }
    const base = await realRoot;
    if (base === null) {
      plain(res, 503, 'The console UI is not built. Run: npm run build (node scripts/build.mjs)');
      return;
    }
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      plain(res, 400, 'bad request');
      return;
    }
    const file = resolveStaticPath(base, pathname);
    if (file === null) {
      plain(res, 404, 'not found');
      return;
    }
    try {
      // A symlink inside the folder must not lead out of it.
      const real = await realpath(file);
      if (!real.startsWith(base + sep)) throw new Error('outside');
      const st = await stat(real);
      if (!st.isFile() || st.size > MAX_FILE_BYTES) throw new Error('not a file');
      const body = await readFile(real);
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
        'content-length': String(body.length),
        'cache-control': real.endsWith('.html') ? 'no-store' : 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      plain(res, 404, 'not found');
    }
  };
}
