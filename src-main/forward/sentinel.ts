import { gzipSync } from 'node:zlib';
import type { QueuedRecord } from './disk-queue';
import type { SentinelDestination } from './http-destination';
import { check, DeliveryError, send } from './http-client';
import type { DeliveryContext, Transport } from './transport';

/** The Logs Ingestion API takes at most 1 MB per call (compressed or not, Microsoft says). */
export const MAX_CALL_BYTES = 1_000_000;
export const API_VERSION = '2023-01-01';
export const SCOPE = 'https://monitor.azure.com//.default';
/** A token is renewed this long before it expires, so no call carries one that dies in flight. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Azure Monitor Logs Ingestion API: a client-credentials token from the tenant's v2.0 token
 * endpoint (kept in memory only, never on disk), then a gzipped JSON array of rows per call. Batches
 * are cut so that the uncompressed array stays within 1 MB. 429 and 5xx carry Retry-After, which
 * the worker honours; a 401 drops the cached token.
 */
export class SentinelTransport implements Transport {
  readonly maxBatchRecords = 5000;
  /** The array's brackets and commas come on top of the rows. */
  readonly maxBatchBytes = MAX_CALL_BYTES - 2 - 5000;
  private token: { value: string; expiresAt: number } | null = null;

  constructor(private readonly dest: SentinelDestination) {}

  private async bearer(deadline: number, signal?: AbortSignal): Promise<string> {
    if (this.token !== null && Date.now() < this.token.expiresAt - RENEW_BEFORE_MS) return this.token.value;
    const d = this.dest;
    const url = new URL(`/${encodeURIComponent(d.tenant)}/oauth2/v2.0/token`, d.authority);
    const res = await send(url, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: d.clientId,
        client_secret: d.secret,
        grant_type: 'client_credentials',
        scope: SCOPE,
      }).toString(),
      ca: d.ca,
      signal,
      timeoutMs: Math.max(1, Math.min(30_000, deadline - Date.now())),
    });
    // The token endpoint's error text can echo the request: keep only its error code.
    if (res.status !== 200) {
      let code = '';
      try {
        code = String((JSON.parse(res.body) as { error?: unknown }).error ?? '');
      } catch {
        /* not JSON */
      }
      throw new DeliveryError(`Entra ID token: HTTP ${res.status}${code !== '' ? ' ' + code : ''}`);
    }
    const t = JSON.parse(res.body) as { access_token?: unknown; expires_in?: unknown };
    if (typeof t.access_token !== 'string')
      throw new DeliveryError('Entra ID token: no access_token in the answer');
    const life = Number(t.expires_in);
    this.token = {
      value: t.access_token,
      expiresAt: Date.now() + (Number.isFinite(life) ? life : 3600) * 1000,
    };
    return this.token.value;
  }

  async deliver(batch: QueuedRecord[], ctx: DeliveryContext): Promise<number> {
    const d = this.dest;
    const url = new URL(
      `/dataCollectionRules/${encodeURIComponent(d.dcr)}/streams/${encodeURIComponent(d.stream)}?api-version=${API_VERSION}`,
      d.endpoint,
    );
    const res = await send(url, {
      headers: {
        Authorization: `Bearer ${await this.bearer(ctx.deadline, ctx.signal)}`,
        'Content-Type': 'application/json',
        'Content-Encoding': 'gzip',
        'User-Agent': 'Glasspane',
      },
      body: gzipSync(`[${batch.map((r) => r.body).join(',')}]`),
      ca: d.ca,
      signal: ctx.signal,
      timeoutMs: Math.max(1, Math.min(30_000, ctx.deadline - Date.now())),
    });
    if (res.status === 401) this.token = null;
    check(res, 'Logs Ingestion');
    return batch.length;
  }
}
