/** A test client of the console's wire protocol over the `ws` package. */
import WebSocket from 'ws';
import { WIRE_PROTOCOL, WS_PATH } from '../../../shared/ipc/wire';

export interface WireEvent {
  name: string;
  payload: unknown;
}

export interface Closed {
  code: number;
  reason: string;
}

export class WsClient {
  readonly events: WireEvent[] = [];
  readonly closed: Promise<Closed>;
  private nextId = 1;
  private readonly pending = new Map<number, (r: unknown) => void>();
  private welcomed: Promise<void>;
  private eventWaiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((r) => ws.once('close', (code, reason) => r({ code, reason: String(reason) })));
    this.welcomed = new Promise((resolveWelcome, rejectWelcome) => {
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as {
          t: string;
          id?: number;
          result?: unknown;
          name?: string;
          payload?: unknown;
        };
        if (m.t === 'welcome') resolveWelcome();
        else if (m.t === 'result') {
          this.pending.get(m.id!)?.(m.result);
          this.pending.delete(m.id!);
        } else if (m.t === 'event') {
          this.events.push({ name: m.name!, payload: m.payload });
          for (const w of this.eventWaiters) w();
        }
      });
      void this.closed.then((c) => rejectWelcome(new Error(`closed ${c.code} ${c.reason}`)));
    });
    this.welcomed.catch(() => {});
  }

  /** Opens the socket (rejects when the upgrade is refused, with the HTTP status). */
  static open(
    origin: string,
    headers: Record<string, string> = {},
    /** TLS: the CA to trust, the name to verify; `address` to dial instead of the origin's host. */
    tls: { ca?: Buffer; servername?: string; address?: string } = {},
  ): Promise<WsClient> {
    const url = new URL(origin.replace(/^http/, 'ws') + WS_PATH);
    if (tls.address !== undefined) url.hostname = tls.address;
    const ws = new WebSocket(url, {
      headers: { ...(tls.address !== undefined ? { host: new URL(origin).host } : {}), ...headers },
      origin: headers.origin,
      maxPayload: 256 * 1024 * 1024,
      ca: tls.ca,
      // ws hands it to tls.connect at run time; its types leave it out.
      ...({ servername: tls.servername } as object),
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        reject(new Error(`upgrade refused: ${res.statusCode}`));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  static async connect(origin: string, token: string): Promise<WsClient> {
    const c = await WsClient.open(origin);
    await c.hello(token);
    return c;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  hello(token: string, protocol = WIRE_PROTOCOL): Promise<void> {
    this.send({ t: 'hello', protocol, token });
    return this.welcomed;
  }

  call(name: string, payload: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((r) => {
      this.pending.set(id, r);
      this.send({ t: 'call', id, name, payload });
    });
  }

  /** Resolves with the first event (already received or coming) that matches. */
  waitForEvent(pred: (e: WireEvent) => boolean, timeoutMs = 20_000): Promise<WireEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.events.find(pred);
        if (!hit) return false;
        this.eventWaiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        this.eventWaiters.delete(check);
        reject(new Error(`no matching event in ${timeoutMs} ms (got ${this.events.length} events)`));
      }, timeoutMs);
      if (!check()) this.eventWaiters.add(check);
    });
  }

  close(): void {
    this.ws.close(1000);
  }
}

/** Polls getSnapshot until the capture is in one of `states` (events may have passed before we connected). */
export async function waitForCaptureState(c: WsClient, states: string[], ms = 30_000): Promise<unknown> {
  const end = Date.now() + ms;
  for (;;) {
    const r = (await c.call('getSnapshot', {})) as { ok: boolean; value?: { status: { state: string } } };
    if (r.ok && states.includes(r.value!.status.state)) return r.value;
    if (Date.now() > end) throw new Error(`capture never reached ${states.join('/')}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}
