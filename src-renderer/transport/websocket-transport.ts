/**
 * The browser console's transport: one WebSocket to the host that served this page, authenticated
 * by the token from the page URL (sent in the first message, see shared/ipc/wire.ts). Reconnects with
 * backoff; calls made while disconnected fail at once with 'disconnected' (the store refetches what it
 * needs when the connection comes back).
 */
import { isEventName, type CallName, type EventName } from '../../shared/ipc/channels';
import {
  parseCallResult,
  parseEvent,
  type CallRequest,
  type CallResponse,
  type CallResult,
  type EventPayload,
} from '../../shared/ipc/contract';
import {
  CLOSE_CODES,
  HELLO_TIMEOUT_MS,
  MAX_FRAME_BYTES,
  MAX_PENDING_CALLS,
  WIRE_PROTOCOL,
  hostMessageSchema,
  type ClientMessage,
} from '../../shared/ipc/wire';
import { Listeners, type ConnectionState, type Transport } from './transport';

const CALL_TIMEOUT_MS = 30_000;
/** How long to wait for the host's welcome after the socket opens before giving up on this attempt. */
const WELCOME_TIMEOUT_MS = HELLO_TIMEOUT_MS + 5_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

export interface WebSocketOptions {
  url: string;
  token: string | null;
  /** For tests: a WebSocket constructor other than the browser's. */
  WebSocketImpl?: typeof WebSocket;
}

interface Pending {
  resolve(raw: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

export function websocketTransport(opts: WebSocketOptions): Transport {
  const WS = opts.WebSocketImpl ?? WebSocket;
  const states = new Listeners<ConnectionState>();
  const events = new Map<EventName, Listeners<unknown>>();
  const pending = new Map<number, Pending>();
  let state: ConnectionState = { kind: 'connecting' };
  let socket: WebSocket | null = null;
  let nextId = 1;
  let retryMs = RETRY_MIN_MS;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let welcomeTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const setState = (s: ConnectionState): void => {
    state = s;
    states.emit(s);
  };

  const failPending = (message: string): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.resolve({ ok: false, error: { code: 'disconnected', message } });
    }
  };

  const scheduleRetry = (reason: string): void => {
    if (closed) return;
    const at = Date.now() + retryMs;
    setState({ kind: 'disconnected', reason, retryAt: at });
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  const onMessage = (data: unknown): void => {
    if (typeof data !== 'string' || data.length > MAX_FRAME_BYTES) return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const m = hostMessageSchema.safeParse(json);
    if (!m.success) return;
    const msg = m.data;
    if (msg.t === 'welcome') {
      if (welcomeTimer) clearTimeout(welcomeTimer);
      if (msg.protocol !== WIRE_PROTOCOL) {
        socket?.close(CLOSE_CODES.protocolMismatch);
        return;
      }
      retryMs = RETRY_MIN_MS;
      setState({ kind: 'connected' });
    } else if (state.kind !== 'connected') {
      // Nothing but the welcome counts before the host has accepted our token.
      return;
    } else if (msg.t === 'result') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      clearTimeout(p.timer);
      p.resolve(msg.result);
    } else if (isEventName(msg.name)) {
      events.get(msg.name)?.emit(msg.payload);
    }
  };

  function connect(): void {
    retryTimer = null;
    if (closed) return;
    if (!opts.token) {
      setState({
        kind: 'disconnected',
        reason: 'This page has no access token. Open the link that `npx glasspane serve` prints.',
        retryAt: null,
      });
      return;
    }
    setState({ kind: 'connecting' });
    let ws: WebSocket;
    try {
      ws = new WS(opts.url);
    } catch (e) {
      scheduleRetry(`Cannot open ${opts.url}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    socket = ws;
    ws.onopen = () => {
      const hello: ClientMessage = { t: 'hello', protocol: WIRE_PROTOCOL, token: opts.token! };
      ws.send(JSON.stringify(hello));
      // A host that accepts the socket but never answers must not leave the page 'connecting' forever.
      welcomeTimer = setTimeout(() => {
        if (state.kind !== 'connected') ws.close(4000);
      }, WELCOME_TIMEOUT_MS);
    };
    ws.onmessage = (ev) => onMessage(ev.data);
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      if (welcomeTimer) clearTimeout(welcomeTimer);
      failPending('the connection to the Glasspane host closed');
      if (ev.code === CLOSE_CODES.unauthorized) {
        setState({
          kind: 'disconnected',
          reason: 'The Glasspane host refused this page’s access token. Open the link it printed again.',
          retryAt: null,
        });
      } else if (ev.code === CLOSE_CODES.protocolMismatch) {
        setState({
          kind: 'disconnected',
          reason: 'This page and the Glasspane host are different versions. Reload the page.',
          retryAt: null,
        });
      } else {
        scheduleRetry('The Glasspane host is not reachable.');
      }
    };
  }

  /** Sends one call and resolves with the host's raw envelope (or an error envelope of our own). */
  function callRaw(name: string, request: unknown): Promise<unknown> {
    const fail = (code: 'disconnected' | 'failed', message: string) =>
      Promise.resolve<unknown>({ ok: false, error: { code, message } });
    const ws = socket;
    if (state.kind !== 'connected' || !ws) return fail('disconnected', 'not connected');
    if (pending.size >= MAX_PENDING_CALLS) return fail('failed', 'too many calls in flight');
    const id = nextId++;
    return new Promise<unknown>((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve({ ok: false, error: { code: 'timeout', message: `${name.slice(0, 64)} timed out` } });
      }, CALL_TIMEOUT_MS);
      pending.set(id, { resolve, timer });
      const msg: ClientMessage = { t: 'call', id, name: name.slice(0, 64), payload: request };
      ws.send(JSON.stringify(msg));
    });
  }

  connect();

  return {
    kind: 'websocket',
    call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResult<CallResponse<K>>> {
      return callRaw(name, request).then((raw) => parseCallResult(name, raw));
    },
    on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void) {
      let set = events.get(name);
      if (!set) events.set(name, (set = new Listeners<unknown>()));
      return set.add((raw) => {
        const p = parseEvent(name, raw);
        if (p.ok) listener(p.value);
        else console.warn(`glasspane: dropped malformed ${name} event: ${p.message}`);
      });
    },
    state: () => state,
    onState: (l) => states.add(l),
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (welcomeTimer) clearTimeout(welcomeTimer);
      failPending('closed');
      socket?.close(1000);
      socket = null;
    },
  };
}
