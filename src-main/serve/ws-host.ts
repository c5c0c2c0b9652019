/**
 * The WebSocket side of the console (shared/ipc/wire.ts): upgrades only on WS_PATH from an allowed
 * Origin, a hello with the right token within HELLO_TIMEOUT_MS, then validated calls through the
 * dispatcher and every hub event to every authenticated client. Clients that read too slowly are
 * dropped, not buffered for without bound. What a client may send is bounded by WS_LIMITS: before
 * its hello one small frame (counted on the raw socket, so a large frame is cut off while it
 * arrives), after it a frame size, a message rate and a number of clients.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { WS_LIMITS } from '../../shared/ipc/limits';
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
import { FrameMeter } from './frame-meter';
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
  /** Clients that said hello, at once. */
  maxClients?: number;
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
const POLICY_VIOLATION = 1008;
const MESSAGE_TOO_BIG = 1009;
const TRY_AGAIN_LATER = 1013;

const BEFORE_HELLO = 'too large before hello';

/** The largest client frame header (2 bytes, 8 of length, 4 of mask), beside the pre-hello payload. */
const MAX_FRAME_HEADER = 14;

interface Client {
  ws: WebSocket;
  authed: boolean;
  /** Set once the host has decided to close: later frames are ignored. */
  closing: boolean;
  pending: number;
  alive: boolean;
  /** Token bucket of the message rate: tokens left and when it was last refilled. */
  tokens: number;
  refilled: number;
}

function refuse(socket: Duplex, status: 400 | 403 | 404 | 503, why: string): void {
  const reason = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[
    status
  ];
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`);
  socket.destroy();
}

/** A message's size as received, before anything decodes it. */
function rawLength(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
}

export function attachWsHost(server: Server, o: WsHostOptions): WsHost {
  const maxBuffered = o.maxBufferedBytes ?? 2 * MAX_FRAME_BYTES;
  const maxUnauth = o.maxUnauthenticated ?? WS_LIMITS.unauthenticated;
  const maxClients = o.maxClients ?? WS_LIMITS.clients;
  const helloMs = o.helloTimeoutMs ?? HELLO_TIMEOUT_MS;
  // ws checks a frame's announced length against maxPayload before reading its payload (close 1009).
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: WS_LIMITS.clientFrameBytes,
    clientTracking: false,
  });
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
    // The raw bytes, seen before ws's own listener: each frame's announced length is checked as its
    // header arrives (a large frame is refused before its payload is read, let alone parsed), and
    // before the hello only one small frame's worth of bytes may come at all.
    let client: Client | null = null;
    let preHello = 0;
    const meter = new FrameMeter();
    const tooLarge = (why: string) => {
      socket.off('data', watch);
      if (client !== null) shut(client, MESSAGE_TOO_BIG, why);
      else socket.destroy();
    };
    const watch = (chunk: Buffer) => {
      const authed = client?.authed === true;
      if (!authed && (preHello += chunk.length) > WS_LIMITS.preHelloBytes + MAX_FRAME_HEADER)
        return tooLarge(BEFORE_HELLO);
      meter.feed(chunk, (length) => {
        const limit = client?.authed === true ? WS_LIMITS.clientFrameBytes : WS_LIMITS.preHelloBytes;
        if (length <= limit) return true;
        tooLarge(client?.authed === true ? 'frame too large' : BEFORE_HELLO);
        return false;
      });
    };
    // ws hands `head` (bytes that came with the upgrade request) back to the socket with unshift,
    // so they pass through this listener too.
    socket.on('data', watch);
    wss.handleUpgrade(req, socket, head, (ws) => {
      client = accept(ws);
    });
  };
  server.on('upgrade', onUpgrade);

  /**
   * Closes a client for what it sent: the close frame goes out, nothing more is read from it, and
   * the socket is cut shortly after (a peer flooding us will not complete the closing handshake).
   */
  const shut = (c: Client, code: number, reason: string): void => {
    if (c.closing) return;
    c.closing = true;
    clients.delete(c);
    c.ws.close(code, reason);
    c.ws.pause();
    setTimeout(() => c.ws.terminate(), 200).unref();
  };

  /** Takes one token from the client's bucket; false when it is empty. */
  const withinRate = (c: Client): boolean => {
    const now = performance.now();
    c.tokens = Math.min(
      WS_LIMITS.messageBurst,
      c.tokens + ((now - c.refilled) / 1000) * WS_LIMITS.messagesPerSecond,
    );
    c.refilled = now;
    if (c.tokens < 1) return false;
    c.tokens--;
    return true;
  };

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

  function accept(ws: WebSocket): Client {
    const c: Client = {
      ws,
      authed: false,
      closing: false,
      pending: 0,
      alive: true,
      tokens: WS_LIMITS.messageBurst,
      refilled: performance.now(),
    };
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
      if (c.closing) return;
      if (!c.authed && rawLength(data) > WS_LIMITS.preHelloBytes)
        return shut(c, MESSAGE_TOO_BIG, BEFORE_HELLO);
      if (!withinRate(c)) {
        o.log('serve: closed a client that sends too many messages');
        return shut(c, POLICY_VIOLATION, 'too many messages');
      }
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
        if (authedCount() >= maxClients) {
          o.log(`serve: refused a client: ${maxClients} are connected already`);
          return shut(c, TRY_AGAIN_LATER, 'too many clients');
        }
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
    return c;
  }

  const authedCount = () => {
    let n = 0;
    for (const c of clients) if (c.authed) n++;
    return n;
  };

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
    clientCount: authedCount,
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
