/**
 * The console host: one HTTP server on one origin serving the renderer's files and the engine's
 * WebSocket. Loopback by default; with a certificate it serves HTTPS and WSS (node:https) and
 * answers only to the names on its allow-list. The URL it reports carries the access token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Dispatch, Logger } from '../ipc/dispatch';
import type { EventHub } from '../ipc/event-hub';
import { hostAllowed, isLoopbackAddress, newToken, type OriginPolicy } from './security';
import { createStaticHandler, SECURITY_HEADERS } from './static-files';
import { attachWsHost, type WsHost } from './ws-host';

export interface ConsoleServerOptions {
  host?: string;
  port?: number;
  /** The renderer build (dist/renderer); null serves a page that says to build it. */
  staticDir: string | null;
  dispatch: Dispatch;
  hub: EventHub;
  token?: string;
  log?: Logger;
  /** PEM certificate (chain) and key: serve https/wss instead of http/ws. */
  tls?: { cert: Buffer | string; key: Buffer | string };
  /** Host names (lower case, no port) the Host header may carry besides loopback ones. */
  allowHosts?: readonly string[];
  maxBufferedBytes?: number;
  helloTimeoutMs?: number;
  heartbeatMs?: number;
}

export interface ConsoleServer {
  /** The page to open, token included. */
  url: string;
  origin: string;
  port: number;
  token: string;
  server: Server;
  ws: WsHost;
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';

/** How a URL names the host: IPv6 in brackets; the wildcard addresses as loopback (what a browser here can open). */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startConsoleServer(o: ConsoleServerOptions): Promise<ConsoleServer> {
  const host = o.host ?? DEFAULT_HOST;
  const token = o.token ?? newToken();
  const log = o.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const allowHosts = o.allowHosts ?? [];
  const policy: OriginPolicy = {
    port: 0,
    loopbackOnly: isLoopbackAddress(host),
    allowHosts,
    scheme: o.tls !== undefined ? 'https:' : 'http:',
  };
  const files = createStaticHandler(o.staticDir);
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req.headers.host, policy)) {
      res.writeHead(421, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end('misdirected request\n');
      return;
    }
    files(req, res).catch((e: unknown) => {
      log(`serve: ${String(e)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  // https.Server is an http.Server to everything here (requests, upgrades, timeouts).
  const server: Server =
    o.tls !== undefined
      ? createTlsServer({ cert: o.tls.cert, key: o.tls.key, minVersion: 'TLSv1.2' }, handle)
      : createServer(handle);
  // Slow-loris and idle sockets: the defaults of recent Node, stated so they hold on Node 20 too.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const ws = attachWsHost(server, {
    token,
    dispatch: o.dispatch,
    hub: o.hub,
    policy,
    log,
    maxBufferedBytes: o.maxBufferedBytes,
    helloTimeoutMs: o.helloTimeoutMs,
    heartbeatMs: o.heartbeatMs,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  policy.port = port;
  // Off loopback, the URL names the host as clients must (the first allowed name).
  const name = !policy.loopbackOnly && allowHosts.length > 0 ? allowHosts[0]! : urlHost(host);
  const origin = `${policy.scheme}//${name}:${port}`;
  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    origin,
    port,
    token,
    server,
    ws,
    close: async () => {
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
