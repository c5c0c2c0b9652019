/**
 * A small host for browser tests: serves a renderer build over HTTP on 127.0.0.1 and, when asked,
 * answers the WebSocket wire protocol (shared/ipc/wire.ts) with the real dispatcher over the given
 * engine handlers. Not the product's console host (a later step builds that); just enough of the
 * contract to drive the renderer for real.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventName } from '../../../shared/ipc/channels';
import type { EventPayload } from '../../../shared/ipc/contract';
import {
  CLOSE_CODES,
  WIRE_PROTOCOL,
  WS_PATH,
  clientMessageSchema,
  type HostMessage,
} from '../../../shared/ipc/wire';
import { createDispatcher } from '../../../src-main/ipc/dispatch';
import type { EngineHandlers } from '../../../src-main/ipc/engine-api';
import type { EventHub } from '../../../src-main/ipc/event-hub';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface ConsoleHost {
  url: string;
  server: Server;
  /** Pushes an event to every authenticated client. */
  broadcast<K extends EventName>(name: K, payload: EventPayload<K>): void;
  close(): Promise<void>;
}

/** Answers a call: the real dispatcher, unless a test host changes what some calls say. */
export type Answer = (name: unknown, payload: unknown) => Promise<unknown>;

export async function startConsoleHost(
  dir: string,
  ws?: {
    token: string;
    engine: EngineHandlers;
    hub?: EventHub;
    /** Wraps the dispatcher (a test host that plays an older engine, say). */
    intercept?: (dispatch: Answer) => Answer;
  },
): Promise<ConsoleHost> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(dir, path === '/' ? 'index.html' : decodeURIComponent(path)));
    if (!file.startsWith(dir + sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(body);
      },
      () => res.writeHead(404).end('not found'),
    );
  });
  const clients = new Set<WebSocket>();
  let wss: WebSocketServer | null = null;
  if (ws) {
    const real: Answer = createDispatcher(ws.engine, () => {});
    const dispatch = ws.intercept ? ws.intercept(real) : real;
    wss = new WebSocketServer({ server, path: WS_PATH, maxPayload: 1 << 20 });
    wss.on('connection', (sock) => {
      let authed = false;
      const send = (m: HostMessage) => sock.send(JSON.stringify(m));
      sock.on('message', async (data) => {
        let parsed;
        try {
          parsed = clientMessageSchema.safeParse(JSON.parse(String(data)));
        } catch {
          sock.close(CLOSE_CODES.badMessage);
          return;
        }
        if (!parsed.success) {
          sock.close(CLOSE_CODES.badMessage);
          return;
        }
        const m = parsed.data;
        if (!authed) {
          if (m.t !== 'hello' || m.token !== ws.token) {
            sock.close(CLOSE_CODES.unauthorized);
            return;
          }
          authed = true;
          clients.add(sock);
          send({ t: 'welcome', protocol: WIRE_PROTOCOL });
          return;
        }
        if (m.t === 'call') send({ t: 'result', id: m.id, result: await dispatch(m.name, m.payload) });
      });
      sock.on('close', () => clients.delete(sock));
    });
  }
  const broadcast: ConsoleHost['broadcast'] = (name, payload) => {
    for (const c of clients) c.send(JSON.stringify({ t: 'event', name, payload } satisfies HostMessage));
  };
  const unsubscribe = ws?.hub?.subscribe(broadcast);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    broadcast,
    async close() {
      unsubscribe?.();
      for (const c of clients) c.terminate();
      wss?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
