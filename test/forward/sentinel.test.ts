import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { ForwardEvent } from '../../shared/forward/events';
import { parseForwardUri } from '../../src-main/forward/destination';
import { Forwarder } from '../../src-main/forward/forwarder';
import { deliveryFixture, deliverySkip, ORIGIN as origin, scratch, type TestCa } from './delivery-setup';
import { HttpsReceiver, type Received } from './https-receiver';

const skip = deliverySkip;
const DCR = 'dcr-00112233445566778899aabbccddeeff';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0c5d8e5a-1b2c-4d3e-9f00-aabbccddeeff';
let events: ForwardEvent[];
let pki: TestCa;

before(async () => ({ pki, events } = await deliveryFixture()));

type Row = Record<string, unknown> & { EventId: string };

function rows(reqs: Received[]): Row[] {
  return reqs
    .filter((r) => r.url.pathname.startsWith('/dataCollectionRules/'))
    .flatMap((r) => JSON.parse(r.body) as Row[]);
}

/** One receiver plays both parts: Entra ID's token endpoint and the data collection endpoint. */
async function azure(
  ingest: (r: Received, n: number) => { status: number; headers?: Record<string, string> },
) {
  let n = 0;
  return new HttpsReceiver(pki, (r) => {
    if (r.url.pathname.endsWith('/oauth2/v2.0/token'))
      return {
        status: 200,
        body: JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: 'tok-123' }),
      };
    return { ...ingest(r, n++), body: '' };
  }).start();
}

function uri(port: number, secretFile: string): string {
  return (
    `sentinel://127.0.0.1:${port}?dcr=${DCR}&stream=Custom-Glasspane_CL&tenant=${TENANT}&client-id=${CLIENT}` +
    `&secret-file=${secretFile}&authority=https://127.0.0.1:${port}&ca=${pki.ca}`
  );
}

test(
  'Logs Ingestion: the token request, then bearer calls to the DCR stream with a gzipped JSON array',
  { skip },
  async () => {
    const s = scratch('client-secret~value');
    const rx = await azure(() => ({ status: 204 }));
    try {
      const f = new Forwarder([parseForwardUri(uri(rx.port, s.secretFile))], origin, s.dir);
      f.start();
      f.send(events);
      const [r] = await f.finish(10_000);
      assert.equal(r!.stats.queued, 0);
      const [tok, ...calls] = rx.requests;
      assert.equal(tok!.url.pathname, `/${TENANT}/oauth2/v2.0/token`);
      assert.equal(tok!.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.deepEqual(Object.fromEntries(new URLSearchParams(tok!.body)), {
        client_id: CLIENT,
        client_secret: 'client-secret~value',
        grant_type: 'client_credentials',
        scope: 'https://monitor.azure.com//.default',
      });
      assert.ok(calls.length >= 1);
      for (const c of calls) {
        assert.equal(c.method, 'POST');
        assert.equal(c.url.pathname, `/dataCollectionRules/${DCR}/streams/Custom-Glasspane_CL`);
        assert.equal(c.url.search, '?api-version=2023-01-01');
        assert.equal(c.headers.authorization, 'Bearer tok-123');
        assert.equal(c.headers['content-type'], 'application/json');
        assert.equal(c.headers['content-encoding'], 'gzip');
        assert.ok(Array.isArray(JSON.parse(c.body)));
      }
      const got = rows(rx.requests);
      assert.deepEqual(
        got.map((x) => x.EventId),
        events.map((e) => e.id),
      );
      const e0 = events[0]!;
      assert.equal(got[0]!.TimeGenerated, e0.time);
      assert.equal(got[0]!.DeviceId, e0.device!.id);
      assert.equal(got[0]!.Mac, e0.device!.mac ?? null);
    } finally {
      await rx.stop();
      rmSync(s.dir, { recursive: true, force: true });
    }
  },
);

test(
  'Logs Ingestion: 1 MB per call, 64 KB per field (cut and counted), one token for every call',
  { skip },
  async () => {
    const s = scratch('sec');
    const rx = await azure(() => ({ status: 204 }));
    // Hostile host names of 100 KB each: 40 of them make several megabytes.
    const big = Array.from({ length: 40 }, (_, i) => ({
      ...events[0]!,
      id: `big-${i}`,
      device: { ...events[0]!.device!, hostname: `h${i}-` + 'é'.repeat(50_000) },
    }));
    try {
      const f = new Forwarder([parseForwardUri(uri(rx.port, s.secretFile))], origin, s.dir);
      f.start();
      f.send(big);
      const [r] = await f.finish(15_000);
      assert.equal(r!.stats.queued, 0);
      assert.equal(r!.truncated, 40);
      const calls = rx.requests.filter((q) => q.url.pathname.startsWith('/dataCollectionRules/'));
      assert.ok(calls.length >= 3, `${calls.length} calls`);
      for (const c of calls)
        assert.ok(Buffer.byteLength(c.body) <= 1_000_000, `${Buffer.byteLength(c.body)} bytes`);
      assert.equal(
        rx.requests.filter((q) => q.url.pathname.endsWith('/token')).length,
        1,
        'the token is cached',
      );
      const got = rows(rx.requests);
      assert.deepEqual(
        got.map((x) => x.EventId),
        big.map((e) => e.id),
      );
      for (const x of got) {
        assert.ok(Buffer.byteLength(x.Hostname as string) <= 64 * 1024);
        assert.ok(Buffer.byteLength(x.Hostname as string) > 60 * 1024);
        assert.equal(x.TruncatedFields, 1);
      }
    } finally {
      await rx.stop();
      rmSync(s.dir, { recursive: true, force: true });
    }
  },
);

test(
  'Logs Ingestion: 429 with Retry-After, then a 500, then success: nothing lost, nothing twice',
  { skip },
  async () => {
    const s = scratch('sec');
    const rx = await azure((_r, n) =>
      n === 0
        ? { status: 429, headers: { 'Retry-After': '2' } }
        : n === 1
          ? { status: 500, headers: { 'Retry-After': '1' } }
          : { status: 204 },
    );
    try {
      const f = new Forwarder([parseForwardUri(uri(rx.port, s.secretFile))], origin, s.dir, {
        baseMs: 50,
        maxMs: 100,
      });
      f.start();
      f.send(events);
      const [r] = await f.finish(15_000);
      assert.equal(r!.stats.queued, 0);
      assert.equal(r!.stats.failed, 2);
      const calls = rx.requests.filter((q) => q.url.pathname.startsWith('/dataCollectionRules/'));
      assert.equal(calls.length, 3);
      assert.ok(
        calls[1]!.at - calls[0]!.at >= 1950,
        `waited ${calls[1]!.at - calls[0]!.at} ms after the 429`,
      );
      assert.ok(calls[2]!.at - calls[1]!.at >= 950, `waited ${calls[2]!.at - calls[1]!.at} ms after the 500`);
      // Refused calls did not land: what the workspace holds is the accepted call, each event once.
      assert.deepEqual(
        (JSON.parse(calls[2]!.body) as Row[]).map((x) => x.EventId),
        events.map((e) => e.id),
      );
    } finally {
      await rx.stop();
      rmSync(s.dir, { recursive: true, force: true });
    }
  },
);
