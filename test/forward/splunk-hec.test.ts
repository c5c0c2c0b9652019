import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { ForwardEvent } from '../../shared/forward/events';
import { parseForwardUri, type Destination } from '../../src-main/forward/destination';
import { Forwarder, queueDir } from '../../src-main/forward/forwarder';
import { DiskQueue } from '../../src-main/forward/disk-queue';
import { SplunkTransport } from '../../src-main/forward/splunk-hec';
import type { SplunkDestination } from '../../src-main/forward/http-destination';
import { deliveryFixture, deliverySkip, ORIGIN as origin, scratch, type TestCa } from './delivery-setup';
import { HttpsReceiver, type Received } from './https-receiver';

const skip = deliverySkip;
const TOKEN = '11111111-2222-3333-4444-555555555555';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let events: ForwardEvent[];
let pki: TestCa;

before(async () => ({ pki, events } = await deliveryFixture()));

/** HEC's batch: JSON event objects one after another (no array, no separator required). */
function hecObjects(body: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let depth = 0;
  let start = 0;
  let inStr = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0)
      out.push(JSON.parse(body.slice(start, i + 1)) as Record<string, unknown>);
  }
  return out;
}

function eventIds(reqs: Received[]): string[] {
  return reqs
    .filter((r) => r.url.pathname === '/services/collector/event')
    .flatMap((r) => hecObjects(r.body).map((o) => (o.event as ForwardEvent).id));
}

function small(n: number, o: { ackPollMs?: number; ackGiveUpMs?: number }) {
  return (d: Destination) =>
    Object.assign(new SplunkTransport(d as SplunkDestination, o), { maxBatchRecords: n });
}

test(
  'HEC with indexer acknowledgement: headers, body shape, one channel, a batch leaves only when acked',
  { skip },
  async () => {
    const s = scratch(TOKEN);
    let ackId = 0;
    const acked = new Set<number>();
    let polls = 0;
    let queuedDuringPoll = -1;
    const rx = await new HttpsReceiver(pki, (r) => {
      if (r.url.pathname === '/services/collector/event')
        return { status: 200, body: JSON.stringify({ text: 'Success', code: 0, ackId: ackId++ }) };
      // Each ackId is false on its first two polls, then true: the batch must wait for it.
      const asked = (JSON.parse(r.body) as { acks: number[] }).acks;
      polls++;
      if (polls === 1) queuedDuringPoll = DiskQueue.stats(queueDir(s.dir, uri))!.queued;
      const answer: Record<string, boolean> = {};
      for (const id of asked) answer[String(id)] = acked.has(id) || polls % 3 === 0;
      for (const id of asked) if (answer[String(id)]) acked.add(id);
      return { status: 200, body: JSON.stringify({ acks: answer }) };
    }).start();
    const uri = `splunk+https://127.0.0.1:${rx.port}?token-file=${s.secretFile}&ack=1&index=ot&sourcetype=glasspane:test&ca=${pki.ca}`;
    try {
      const f = new Forwarder([parseForwardUri(uri)], origin, s.dir, {
        transport: small(5, { ackPollMs: 20 }),
      });
      f.start();
      f.send(events);
      const [r] = await f.finish(15_000);
      assert.equal(queuedDuringPoll, events.length, 'nothing left the queue before its ack');
      assert.equal(r!.stats.queued, 0);
      assert.equal(r!.stats.sent, events.length);
      const channels = new Set(rx.requests.map((q) => q.headers['x-splunk-request-channel']));
      assert.equal(channels.size, 1, 'one channel for every request');
      const channel = [...channels][0] as string;
      assert.match(channel, UUID);
      for (const q of rx.requests) {
        assert.equal(q.method, 'POST');
        assert.equal(q.headers.authorization, `Splunk ${TOKEN}`);
        if (q.url.pathname === '/services/collector/ack') {
          assert.equal(q.url.searchParams.get('channel'), channel);
          assert.deepEqual(Object.keys(JSON.parse(q.body) as object), ['acks']);
        } else assert.equal(q.url.pathname, '/services/collector/event');
      }
      const posted = rx.requests.filter((q) => q.url.pathname === '/services/collector/event');
      assert.equal(posted.length, Math.ceil(events.length / 5), 'acked batches are not sent again');
      for (const o of posted.flatMap((q) => hecObjects(q.body))) {
        assert.deepEqual(Object.keys(o), ['time', 'host', 'source', 'sourcetype', 'index', 'event']);
        const e = o.event as ForwardEvent;
        assert.equal(o.time, Date.parse(e.time) / 1000);
        assert.equal(o.host, 'sensor-test');
        assert.equal(o.source, 'glasspane');
        assert.equal(o.sourcetype, 'glasspane:test');
        assert.equal(o.index, 'ot');
      }
      assert.deepEqual(
        eventIds(rx.requests),
        events.map((e) => e.id),
      );
    } finally {
      await rx.stop();
      rmSync(s.dir, { recursive: true, force: true });
    }
  },
);

test(
  'HEC: an ack that never comes keeps the batch queued; after the give-up time it is sent again',
  { skip },
  async () => {
    const s = scratch(TOKEN);
    let ackId = 0;
    let lost = true;
    const rx = await new HttpsReceiver(pki, (r) => {
      if (r.url.pathname === '/services/collector/event')
        return { status: 200, body: JSON.stringify({ ackId: ackId++ }) };
      const asked = (JSON.parse(r.body) as { acks: number[] }).acks;
      // ackId 0 is lost by the indexers; later ones are confirmed at once.
      return {
        status: 200,
        body: JSON.stringify({
          acks: Object.fromEntries(asked.map((id) => [String(id), !(lost && id === 0)])),
        }),
      };
    }).start();
    const uri = `splunk+https://127.0.0.1:${rx.port}?token-file=${s.secretFile}&ack=1&ca=${pki.ca}`;
    try {
      // A first run gives up waiting: the batch stays, with its ackId.
      let f = new Forwarder([parseForwardUri(uri)], origin, s.dir, {
        transport: small(100, { ackPollMs: 50, ackGiveUpMs: 1500 }),
      });
      f.start();
      f.send(events);
      // 1.2 s: the request and some ack polls fit on a loaded machine, still short of the 1.5 s give-up.
      let [r] = await f.finish(1200);
      assert.equal(r!.stats.queued, events.length, 'unacked is not dropped');
      assert.equal(r!.stats.sent, 0);
      assert.match(r!.stats.lastError!, /ackId 0 not yet confirmed/);
      // The next run asks about ackId 0 again, then gives up on it and sends the batch once more.
      f = new Forwarder([parseForwardUri(uri)], origin, s.dir, {
        transport: small(100, { ackPollMs: 50, ackGiveUpMs: 1500 }),
        baseMs: 50,
        maxMs: 100,
      });
      f.start();
      [r] = await f.finish(10_000);
      assert.equal(r!.stats.queued, 0);
      assert.equal(r!.stats.sent, events.length);
      const ids = eventIds(rx.requests);
      assert.deepEqual(
        ids,
        [...events.map((e) => e.id), ...events.map((e) => e.id)],
        'sent twice, whole and in order',
      );
      lost = false;
    } finally {
      await rx.stop();
      rmSync(s.dir, { recursive: true, force: true });
    }
  },
);

test(
  'HEC without ack (Splunk Cloud): no channel, a 200 delivers; a 503 is retried without loss',
  { skip },
  async () => {
    const s = scratch(TOKEN);
    let n = 0;
    const rx = await new HttpsReceiver(pki, () =>
      n++ === 1
        ? { status: 503, body: '{"text":"Server is busy","code":9}', headers: { 'Retry-After': '1' } }
        : { status: 200, body: '{"text":"Success","code":0}' },
    ).start();
    const uri = `splunk+https://127.0.0.1:${rx.port}?token-env=GP_HEC_TOKEN&ca=${pki.ca}`;
    process.env.GP_HEC_TOKEN = TOKEN;
    try {
      const f = new Forwarder([parseForwardUri(uri)], origin, s.dir, {
        transport: small(4, {}),
        baseMs: 50,
        maxMs: 100,
      });
      f.start();
      f.send(events);
      const [r] = await f.finish(10_000);
      assert.equal(r!.stats.queued, 0);
      assert.equal(r!.stats.failed, 1);
      assert.match(r!.stats.lastError!, /HTTP 503 .*Server is busy/);
      assert.ok(rx.requests.every((q) => q.headers['x-splunk-request-channel'] === undefined));
      assert.ok(rx.requests[2]!.at - rx.requests[1]!.at >= 950, 'Retry-After honoured');
      const ids = eventIds(rx.requests);
      // The refused batch comes again; counted once among what arrived.
      assert.deepEqual(
        ids.filter((id, i) => i < 4 || i >= 8),
        events.map((e) => e.id),
      );
    } finally {
      delete process.env.GP_HEC_TOKEN;
      await rx.stop();
      rmSync(s.dir, { recursive: true, force: true });
    }
  },
);
