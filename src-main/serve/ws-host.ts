/**
 * The WebSocket side of the console (shared/ipc/wire.ts): upgrades only on WS_PATH from an allowed
 * Origin, a hello with the right token within HELLO_TIMEOUT_MS, then validated calls through the
 * dispatcher and every hub event to every authenticated client. Clients that read too slowly are
 * dropped, not buffered for without bound.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  CLOSE_CODES,
  HELLO_TIMEOUT_MS,
  MAX_FRAME_BYTES,
  MAX_PENDING_CALLS,
  WIRE_PROTOCOL,
  WS_PATH,
  clientMessageSchema,
  type HostMessage,
} from '../../shared/ipc/wire';
import type { Dispatch, Logger } from '../ipc/dispatch';
import type { EventHub } from '../ipc/event-hub';
import { originAllowed, tokenMatches, type OriginPolicy } from './security';

export interface WsHostOptions {
  token: string;
  dispatch: Dispatch;
  hub: EventHub;
  policy: OriginPolicy;
  log: Logger;
  /** Bytes a client may leave unread before it is dropped (default: two of the largest frames). */
  maxBufferedBytes?: number;
  /** Connections that have not said hello yet, at once. */
  maxUnauthenticated?: number;
  helloTimeoutMs?: number;
  /** Ping period; a client that has not answered the previous ping is cut (a vanished peer). */
  heartbeatMs?: number;
}

export interface WsHost {
  /** Authenticated clients now. */
  clientCount(): number;
  close(): Promise<void>;
}

/** Close codes of the WebSocket standard used here. */
const GOING_AWAY = 1001;
const TRY_AGAIN_LATER = 1013;

interface Client {
  ws: WebSocket;
  authed: boolean;
  pending: number;
  alive: boolean;
}

function refuse(socket: Duplex, status: 400 | 403 | 404 | 503, why: string): void {
  const reason = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[
    status
  ];
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`);
  socket.destroy();
}

export function attachWsHost(server: Server, o: WsHostOptions): WsHost {
  const maxBuffered = o.maxBufferedBytes ?? 2 * MAX_FRAME_BYTES;
  const maxUnauth = o.maxUnauthenticated ?? 32;
  const helloMs = o.helloTimeoutMs ?? HELLO_TIMEOUT_MS;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, clientTracking: false });
  const clients = new Set<Client>();
  let unauthenticated = 0;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      return refuse(socket, 400, 'bad request');
    }
    if (path !== WS_PATH) return refuse(socket, 404, 'not found');
    if (!originAllowed(req.headers.origin, req.headers.host, o.policy)) {
      o.log(`serve: refused a WebSocket from origin ${String(req.headers.origin).slice(0, 200)}`);
      return refuse(socket, 403, 'origin not allowed');
    }
    if (unauthenticated >= maxUnauth) return refuse(socket, 503, 'too many connections');
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  };
  server.on('upgrade', onUpgrade);

  /** Sends unless the client is too far behind, in which case it is dropped. */
  const send = (c: Client, text: string): void => {
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (c.ws.bufferedAmount + text.length > maxBuffered) {
      o.log('serve: dropped a client that does not keep up with the event stream');
      clients.delete(c);
      c.ws.close(TRY_AGAIN_LATER, 'too slow');
      // A client that stopped reading will not complete the closing handshake either.
      setTimeout(() => c.ws.terminate(), 1000).unref();
      return;
    }
    c.ws.send(text);
  };

  function accept(ws: WebSocket): void {
    const c: Client = { ws, authed: false, pending: 0, alive: true };
    ws.on('pong', () => (c.alive = true));
    clients.add(c);
    unauthenticated++;
    let counted = true;
    const uncount = () => {
      if (counted) unauthenticated--;
      counted = false;
    };
    const helloTimer = setTimeout(() => ws.close(CLOSE_CODES.unauthorized, 'no hello'), helloMs);
    helloTimer.unref();

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return ws.close(CLOSE_CODES.badMessage, 'text frames only');
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        return ws.close(CLOSE_CODES.badMessage, 'not JSON');
      }
      const parsed = clientMessageSchema.safeParse(json);
      if (!parsed.success) return ws.close(CLOSE_CODES.badMessage, 'not a wire message');
      const m = parsed.data;
      if (!c.authed) {
        if (m.t !== 'hello') return ws.close(CLOSE_CODES.unauthorized, 'hello first');
        clearTimeout(helloTimer);
        if (!tokenMatches(o.token, m.token)) {
          o.log('serve: refused a client with a wrong token');
          return ws.close(CLOSE_CODES.unauthorized, 'wrong token');
        }
        if (m.protocol !== WIRE_PROTOCOL) return ws.close(CLOSE_CODES.protocolMismatch, 'protocol');
        c.authed = true;
        uncount();
        send(c, JSON.stringify({ t: 'welcome', protocol: WIRE_PROTOCOL } satisfies HostMessage));
        return;
      }
      if (m.t === 'hello') return ws.close(CLOSE_CODES.badMessage, 'hello twice');
      const reply = (result: unknown) =>
        send(c, JSON.stringify({ t: 'result', id: m.id, result } satisfies HostMessage));
      if (c.pending >= MAX_PENDING_CALLS) {
        reply({ ok: false, error: { code: 'failed', message: 'too many calls in flight' } });
        return;
      }
      c.pending++;
      void o.dispatch(m.name, m.payload).then(
        (r) => {
          c.pending--;
          reply(r);
        },
        (e: unknown) => {
          c.pending--;
          reply({ ok: false, error: { code: 'failed', message: String(e).slice(0, 1000) } });
        },
      );
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      uncount();
      clients.delete(c);
    });
    ws.on('error', (e) => o.log(`serve: client error: ${e.message}`));
  }

  const heartbeat = setInterval(() => {
    for (const c of clients) {
      if (!c.alive) {
        clients.delete(c);
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, o.heartbeatMs ?? 30_000);
  heartbeat.unref();

  const stopEvents = o.hub.subscribe((name, payload) => {
    if (clients.size === 0) return;
    const text = JSON.stringify({ t: 'event', name, payload } satisfies HostMessage);
    for (const c of clients) if (c.authed) send(c, text);
  });

  return {
    clientCount: () => [...clients].filter((c) => c.authed).length,
    close: async () => {
      clearInterval(heartbeat);
      stopEvents();
      server.off('upgrade', onUpgrade);
      for (const c of clients) c.ws.close(GOING_AWAY, 'the console is shutting down');
      await new Promise<void>((r) => wss.close(() => r()));
      // Give the close frames a moment, then cut whatever is left.
      await new Promise((r) => setTimeout(r, 100));
      for (const c of clients) c.ws.terminate();
    },
  };
}
