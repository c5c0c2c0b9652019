/**
 * The test host for UI tests (the idea of test/electron/helpers/console-host.ts, with more): serves a
 * renderer build on 127.0.0.1 and answers the WebSocket wire protocol with the real dispatcher over
 * the given engine, plus handlers for calls proposed but not yet in the contract (getDevice,
 * checkFilter, the listSources demo offer), so the renderer's feature checks can be exercised.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
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

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** Handlers for calls outside the contract: return the value, or throw to answer 'failed'. */
export type ExtraHandlers = Record<string, (payload: unknown) => unknown>;

export interface UiHost {
  url: string;
  server: Server;
  broadcast<K extends EventName>(name: K, payload: EventPayload<K>): void;
  close(): Promise<void>;
}

export function buildRenderer(outDir: string): void {
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, 'scripts/build.mjs'), `--out=${outDir}`, '--only=renderer'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
}

export async function startUiHost(
  dir: string,
  ws: {
    token: string;
    engine: EngineHandlers;
    hub?: EventHub;
    extra?: ExtraHandlers;
    listSourcesExtra?: object;
    /** Behave like a host from before getDevice and the demo offer: both unknown to it. */
    older?: boolean;
  },
): Promise<UiHost> {
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
  const dispatch = createDispatcher(ws.engine, () => {});
  const answer = async (name: string, payload: unknown): Promise<unknown> => {
    const extra = ws.extra?.[name];
    if (extra) {
      try {
        return { ok: true, value: await extra(payload) };
      } catch (e) {
        return { ok: false, error: { code: 'failed', message: e instanceof Error ? e.message : String(e) } };
      }
    }
    if (ws.older && name === 'getDevice') {
      return { ok: false, error: { code: 'unknown-call', message: 'unknown call getDevice' } };
    }
    const r = await dispatch(name, payload);
    if (name === 'listSources' && r.ok && ws.older) {
      const { demo: _demo, ...rest } = r.value as { demo?: unknown };
      return { ok: true, value: rest };
    }
    if (name === 'listSources' && r.ok && ws.listSourcesExtra) {
      return { ok: true, value: { ...(r.value as object), ...ws.listSourcesExtra } };
    }
    return r;
  };
  const wss = new WebSocketServer({ server, path: WS_PATH, maxPayload: 1 << 20 });
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
      if (m.t === 'call') send({ t: 'result', id: m.id, result: await answer(m.name, m.payload) });
    });
    sock.on('close', () => clients.delete(sock));
  });
  const broadcast: UiHost['broadcast'] = (name, payload) => {
    const msg = JSON.stringify({ t: 'event', name, payload } satisfies HostMessage);
    for (const c of clients) c.send(msg);
  };
  const unsubscribe = ws.hub?.subscribe(broadcast);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    broadcast,
    async close() {
      unsubscribe?.();
      for (const c of clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
