import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A response body is read up to this much: a receiver cannot make us hold more. */
const MAX_RESPONSE = 1024 * 1024;

/**
 * One HTTP(S) request with a deadline, the CA a test or a private PKI names, and a bounded
 * response. node:https rather than fetch: fetch in Node 20 takes no per-request CA.
 */
export function send(
  url: URL,
  o: {
    method?: string;
    headers: Record<string, string>;
    body: string | Buffer;
    ca?: string;
    timeoutMs: number;
    signal?: AbortSignal;
  },
): Promise<HttpResponse> {
  const req = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
  return new Promise((resolve, reject) => {
    const r = req(
      url,
      {
        method: o.method ?? 'POST',
        headers: { ...o.headers, 'Content-Length': String(body.length) },
        ca: o.ca !== undefined ? readFileSync(o.ca) : undefined,
        timeout: o.timeoutMs,
        signal: o.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
          if (n <= MAX_RESPONSE) chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    r.on('error', reject);
    r.end(body);
  });
}

/** A delivery attempt that failed; the records stay queued. `retryAfterMs`: the receiver's own wish. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** `Retry-After` in seconds or as an HTTP date (RFC 9110 10.2.3), in ms; undefined if absent or bad. */
export function retryAfterMs(h: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const v = h['retry-after'];
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** 2xx passes; anything else is a DeliveryError naming the status and a little of the answer. */
export function check(res: HttpResponse, what: string): void {
  if (res.status >= 200 && res.status < 300) return;
  const text = res.body.replace(/\s+/g, ' ').slice(0, 200);
  throw new DeliveryError(
    `${what}: HTTP ${res.status}${text !== '' ? ' ' + text : ''}`,
    retryAfterMs(res.headers),
  );
}

export function describeError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.name === 'AbortError') return 'no answer before the deadline';
  if (err.code === 'ECONNREFUSED')
    return `connection refused (${err.message.replace(/^connect ECONNREFUSED /, '')})`;
  return err.message ?? String(e);
}
