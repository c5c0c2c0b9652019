import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request as our test receiver saw it: the body un-gzipped when it came gzipped. */
export interface Received {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Bytes on the wire (before gunzip) and after. */
  wireBytes: number;
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Hold the answer this long (a slow receiver). */
  delayMs?: number;
}

export type Handler = (r: Received, all: Received[]) => Answer | Promise<Answer>;

/**
 * A real HTTPS server on loopback, its certificate from a test CA: it records every request and
 * answers through `handler`. `stop` takes it down (open connections cut); `start` brings it back on
 * the same port.
 */
export class HttpsReceiver {
  readonly requests: Received[] = [];
  port = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly pki: { cert: string; key: string },
    public handler: Handler,
  ) {}

  async start(): Promise<this> {
    const srv = createServer(
      { cert: readFileSync(this.pki.cert), key: readFileSync(this.pki.key) },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const raw = Buffer.concat(chunks);
          const body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
          const r: Received = {
            method: req.method ?? '',
            url: new URL(req.url ?? '/', `https://127.0.0.1:${this.port}`),
            headers: req.headers,
            body,
            wireBytes: raw.length,
            at: Date.now(),
          };
          this.requests.push(r);
          void Promise.resolve(this.handler(r, this.requests)).then(async (a) => {
            if (a.delayMs !== undefined) await new Promise((w) => setTimeout(w, a.delayMs));
            if (res.destroyed) return;
            res.writeHead(a.status, { 'Content-Type': 'application/json', ...a.headers });
            res.end(a.body ?? '');
          });
        });
      },
    );
    srv.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => srv.listen(this.port, '127.0.0.1', r));
    this.port = (srv.address() as { port: number }).port;
    this.server = srv;
    return this;
  }

  async stop(): Promise<void> {
    const srv = this.server;
    if (srv === null) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
  }
}
