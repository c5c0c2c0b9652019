import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { ForwardEvent } from '../../shared/forward/events';
import { parseForwardUri } from '../../src-main/forward/destination';
import { Forwarder, queueDir } from '../../src-main/forward/forwarder';
import { DiskQueue } from '../../src-main/forward/disk-queue';
import { PCAPS } from '../helpers/corpus';
import {
  deliveryFixture,
  deliverySkip,
  DELIVERY_CAPTURE,
  ORIGIN as origin,
  scratch,
  smallBatches,
  type TestCa,
} from './delivery-setup';
import { HttpsReceiver, type Received } from './https-receiver';

const skip = deliverySkip;
let events: ForwardEvent[];
let pki: TestCa;

before(async () => ({ pki, events } = await deliveryFixture()));

/** What a receiver does with our header: recompute the HMAC over "<t>.<body>" and compare. */
function verify(secret: string, header: string, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (m === null) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(want, Buffer.from(m[2]!, 'hex'));
}

function ids(reqs: Received[]): string[] {
  return reqs.flatMap((r) => (JSON.parse(r.body) as { events: ForwardEvent[] }).events.map((e) => e.id));
}

test(
  'webhook: signed JSON batches, the signature verifies with the secret and fails on a tampered body',
  { skip },
  async () => {
    const s = scratch();
    const rx = await new HttpsReceiver(pki, () => ({ status: 204 })).start();
    try {
      const uri = `https://127.0.0.1:${rx.port}/hooks/glasspane?tenant=a&secret-file=${s.secretFile}&ca=${pki.ca}`;
      const f = new Forwarder([parseForwardUri(uri)], origin, s.dir, { transport: smallBatches(5) });
      f.start();
      f.send(events);
      const [r] = await f.finish(10_000);
      assert.equal(r!.stats.queued, 0);
      assert.equal(r!.stats.sent, events.length);
      assert.equal(rx.requests.length, Math.ceil(events.length / 5));
      for (const q of rx.requests) {
        assert.equal(q.method, 'POST');
        assert.equal(q.url.pathname, '/hooks/glasspane');
        assert.equal(q.url.search, '?tenant=a', 'our parameters stay out of the receiver URL');
        assert.equal(q.headers['content-type'], 'application/json');
        const sig = q.headers['x-glasspane-signature'] as string;
        assert.ok(verify(s.secret, sig, q.body), 'signature verifies');
        assert.ok(
          !verify(s.secret, sig, q.body.replace('"events":[{', '"events":[ {')),
          'tampered body fails',
        );
        assert.ok(!verify('another-secret', sig, q.body), 'another secret fails');
        const t = Number(/^t=(\d+)/.exec(sig)![1]);
        assert.ok(Math.abs(t - Date.now() / 1000) < 60, 'timestamp is now');
        assert.equal((JSON.parse(q.body) as { schema: string }).schema, 'glasspane.webhook/1');
      }
      assert.deepEqual(
        ids(rx.requests),
        events.map((e) => e.id),
        'every event once, in order',
      );
      // The secret is nowhere on disk but in its own file.
      const qdir = queueDir(s.dir, uri);
      for (const f of readdirSync(qdir))
        assert.ok(!readFileSync(join(qdir, f)).includes(s.secret), `${f} holds no secret`);
      assert.equal(statSync(qdir).mode & 0o777, 0o700);
      assert.equal(statSync(join(qdir, 'queue.db')).mode & 0o777, 0o600);
    } finally {
      await rx.stop();
      rmSync(s.dir, { recursive: true, force: true });
    }
  },
);

test('webhook URIs: secrets only from a file or the environment, plain http only to loopback', () => {
  const s = scratch();
  try {
    const bad = (uri: string, msg: RegExp) => assert.throws(() => parseForwardUri(uri), msg);
    bad('https://siem.example/h', /no secret: add secret-file=PATH or secret-env=NAME/);
    bad('https://siem.example/h?secret=abc', /a secret on the command line would be seen by every user/);
    bad('https://u:p@siem.example/h?secret-file=' + s.secretFile, /credentials in the URI/);
    bad('http://siem.example/h?secret-file=' + s.secretFile, /plain http is allowed only to loopback/);
    bad('https://siem.example/h?secret-env=GP_NO_SUCH_VAR', /environment variable GP_NO_SUCH_VAR is not set/);
    bad('https://siem.example/h?secret-file=/no/such/file', /secret file '\/no\/such\/file' does not exist/);
    process.env.GP_TEST_SECRET = 'from-env';
    const d = parseForwardUri('http://127.0.0.1:9/h?secret-env=GP_TEST_SECRET&kinds=alert');
    assert.equal(d.type === 'webhook' && d.secret, 'from-env');
    assert.deepEqual([...d.kinds], ['alert']);
  } finally {
    delete process.env.GP_TEST_SECRET;
    rmSync(s.dir, { recursive: true, force: true });
  }
});

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'src-main', 'cli', 'glasspane.ts');

test(
  'forward status shows what a dead destination holds, and the CLI says a bad --data-dir in one line',
  { skip },
  async () => {
    const s = scratch();
    const rx = await new HttpsReceiver(pki, () => ({ status: 200 })).start();
    const port = rx.port;
    await rx.stop();
    const uri = `https://127.0.0.1:${port}/in?secret-file=${s.secretFile}&ca=${pki.ca}`;
    try {
      const f = new Forwarder([parseForwardUri(uri)], origin, s.dir, { baseMs: 50, maxMs: 100 });
      f.start();
      f.send(events);
      await f.finish(500);
      const st = (...a: string[]) =>
        spawnSync(process.execPath, ['--import', 'tsx', cli, 'forward', 'status', ...a], {
          cwd: root,
          encoding: 'utf8',
        });
      const j = st('--data-dir', s.dir, '--format', 'json');
      assert.equal(j.status, 0, j.stderr);
      const out = JSON.parse(j.stdout) as {
        destinations: {
          uri: string;
          queued: number;
          sent: number;
          failed: number;
          dropped: number;
          lastError: string;
        }[];
      };
      assert.equal(out.destinations.length, 1);
      const d = out.destinations[0]!;
      assert.equal(d.uri, uri);
      assert.equal(d.queued, events.length);
      assert.equal(d.sent, 0);
      assert.equal(d.dropped, 0);
      assert.ok(d.failed >= 1);
      assert.match(d.lastError, /connection refused \(127\.0\.0\.1:\d+\)/);
      assert.ok(!j.stdout.includes(s.secret));
      const t = st('--data-dir', s.dir);
      assert.equal(t.status, 0, t.stderr);
      const lines = t.stdout.trim().split('\n');
      assert.match(lines[0]!, /^DESTINATION +QUEUED +SENT +FAILED +DROPPED +LAST ERROR$/);
      assert.ok(lines[1]!.startsWith(uri));
      assert.match(lines[1]!, new RegExp(` ${events.length}  +0  +\\d+  +0  .*connection refused`));
      const bad = st('--data-dir', join(s.dir, 'nope'));
      assert.equal(bad.status, 2);
      assert.equal(
        bad.stderr,
        `glasspane: --data-dir '${join(s.dir, 'nope')}' does not exist: give the folder analyze --data-dir used\n`,
      );
    } finally {
      rmSync(s.dir, { recursive: true, force: true });
    }
  },
);

test("a receiver's answer quoted in the last error carries no control characters to a terminal", async () => {
  const s = scratch();
  // A hostile receiver: clear the screen, retitle the terminal, ring the bell.
  const rx = await new HttpsReceiver(pki, () => ({
    status: 500,
    body: 'nope \u001b[2J\u001b]0;owned\u0007 \u009b31m',
  })).start();
  try {
    const uri = `https://127.0.0.1:${rx.port}/in?secret-file=${s.secretFile}&ca=${pki.ca}`;
    const f = new Forwarder([parseForwardUri(uri)], origin, s.dir);
    f.start();
    f.send(events.length > 0 ? events.slice(0, 1) : []);
    const [r] = await f.finish(1500);
    const err = DiskQueue.stats(queueDir(s.dir, uri))!.lastError ?? '';
    assert.match(err, /HTTP 500 nope/);
    const control = [...err].filter((c) => c < ' ' || (c >= '\u007f' && c <= '\u009f'));
    assert.deepEqual(control, [], JSON.stringify(err));
    assert.equal(r!.stats.lastError, err);
  } finally {
    await rx.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('a full queue drops the oldest records, counts them, and keeps the newest in order', () => {
  const s = scratch();
  try {
    const q = DiskQueue.open(join(s.dir, 'q'), 'https://x/', 1000);
    q.push(Array.from({ length: 30 }, (_, i) => ({ eventId: String(i), body: 'x'.repeat(99) + (i % 10) })));
    const st = q.stats();
    assert.equal(st.queued, 10);
    assert.equal(st.dropped, 20);
    assert.ok(st.queuedBytes <= 1000);
    assert.deepEqual(
      q.peek(100, 1e9).map((r) => r.eventId),
      Array.from({ length: 10 }, (_, i) => String(20 + i)),
    );
    q.close();
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test(
  'analyze leaves what a dead webhook did not take on disk; the next run delivers it first',
  { skip },
  async () => {
    const s = scratch();
    const rx = await new HttpsReceiver(pki, () => ({ status: 200 })).start();
    const port = rx.port;
    await rx.stop();
    const uri = `https://127.0.0.1:${port}/in?secret-file=${s.secretFile}&ca=${pki.ca}`;
    const capture = join(PCAPS, DELIVERY_CAPTURE);
    // Not spawnSync: the receiver runs in this process and must answer while the CLI sends.
    const analyze = () =>
      new Promise<{ status: number | null; stderr: string }>((done) => {
        const args = ['analyze', capture, '--no-progress', '--data-dir', s.dir, '--forward', uri];
        const p = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root });
        let stderr = '';
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.stdout.resume();
        p.on('close', (status) => done({ status, stderr }));
      });
    try {
      const first = await analyze();
      assert.equal(first.status, 0, first.stderr);
      const n = events.filter((e) => e.kind === 'discovered').length;
      assert.match(
        first.stderr,
        new RegExp(`: ${n} event\\(s\\) still queued after 5 s \\(connection refused`),
      );
      await rx.start();
      const second = await analyze();
      assert.equal(second.status, 0, second.stderr);
      assert.ok(
        second.stderr.includes(
          `glasspane: forwarded ${2 * n} event(s) to ${uri} (with ${n} left by an earlier run)\n`,
        ),
        second.stderr,
      );
      const got = ids(rx.requests);
      const want = events.filter((e) => e.kind === 'discovered').map((e) => e.id);
      assert.deepEqual(
        got,
        [...want, ...want],
        "the first run's events, then the second's (same ids: a SIEM de-duplicates)",
      );
    } finally {
      await rx.stop();
      rmSync(s.dir, { recursive: true, force: true });
    }
  },
);

test(
  'analyze that fails on a bad file while a request hangs in flight exits at once, the queue kept',
  { skip },
  async () => {
    const s = scratch();
    // A receiver that accepts the connection and never says a word: the TLS handshake hangs.
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    const uri = `https://127.0.0.1:${port}/in?secret-file=${s.secretFile}&ca=${pki.ca}`;
    const run = (file: string, forward = true) =>
      new Promise<{ status: number | null; stderr: string; ms: number }>((done) => {
        const t0 = Date.now();
        const args = [
          'analyze',
          file,
          '--no-progress',
          '--data-dir',
          s.dir,
          ...(forward ? ['--forward', uri] : []),
        ];
        const p = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root });
        let stderr = '';
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.stdout.resume();
        p.on('close', (status) => done({ status, stderr, ms: Date.now() - t0 }));
      });
    try {
      // A first run leaves its events queued: the receiver never answers.
      const first = await run(join(PCAPS, DELIVERY_CAPTURE));
      assert.equal(first.status, 0, first.stderr);
      const queued = DiskQueue.stats(queueDir(s.dir, uri))!.queued;
      assert.ok(queued > 0, 'events left queued');
      // The second run's sender is stuck on the silent receiver when the analysis fails.
      const junk = join(s.dir, 'not-a-capture.txt');
      writeFileSync(junk, 'hello, not a capture\n');
      const second = await run(junk);
      assert.equal(second.status, 2, second.stderr);
      assert.match(second.stderr, /not a capture|not-a-capture/);
      // Held by the sender it would wait out the destination's 5 s; measured against the same
      // refusal without --forward, so a slow start of the process on a busy machine is not counted.
      const alone = await run(junk, false);
      assert.equal(alone.status, 2, alone.stderr);
      assert.ok(
        second.ms < alone.ms + 2500,
        `exited after ${second.ms} ms (${alone.ms} ms without --forward), not held by the sender`,
      );
      assert.equal(DiskQueue.stats(queueDir(s.dir, uri))!.queued, queued, 'nothing lost');
    } finally {
      silent.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  },
);
