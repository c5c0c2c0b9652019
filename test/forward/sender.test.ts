// Syslog delivery attempts: one connection each, cut at the deadline, and retried only by the disk
// queue's worker (one retry policy, its backoff, its failure count).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseForwardUri, type SyslogDestination } from '../../src-main/forward/destination';
import { sendSyslog } from '../../src-main/forward/syslog-sender';
import { SyslogTransport } from '../../src-main/forward/syslog-transport';
import { DeliveryWorker } from '../../src-main/forward/delivery';
import { DiskQueue } from '../../src-main/forward/disk-queue';
import { RSYSLOGD, startRsyslog } from './rsyslog';

const skip =
  RSYSLOGD === null ? 'rsyslogd is not installed (apt-get install rsyslog; .ci/run installs it)' : false;

const tcp = (port: number) => parseForwardUri(`syslog+tcp://127.0.0.1:${port}`) as SyslogDestination;

/** A TCP server whose connections are handled by `on`, and the number it accepted. */
async function server(on: (c: Socket) => void) {
  const held: Socket[] = [];
  const srv = createServer((c) => {
    held.push(c);
    on(c);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as { port: number }).port,
    get accepted() {
      return held.length;
    },
    close() {
      for (const c of held) c.destroy();
      srv.close();
    },
  };
}

test('one attempt delivers every message, in order, over one connection to rsyslog', { skip }, async () => {
  const rs = await startRsyslog();
  try {
    const msgs = [1, 2, 3, 4, 5].map((i) => `<14>1 - - glasspane - test - message ${i}`);
    assert.equal(await sendSyslog(tcp(rs.tcpPort), msgs, { deadline: Date.now() + 5000 }), 5);
    assert.deepEqual(
      (await rs.waitFor(5)).map((l) => l.replace(/^.* message /, '')),
      ['1', '2', '3', '4', '5'],
    );
  } finally {
    await rs.stop();
  }
});

test('an attempt to a receiver that never reads ends at its deadline, or at once when cut', async () => {
  const s = await server((c) => c.pause());
  try {
    const msgs = Array.from({ length: 100 }, () => '<14>1 - - glasspane - test - ' + 'x'.repeat(10000));
    let t0 = Date.now();
    await assert.rejects(
      sendSyslog(tcp(s.port), msgs, { deadline: t0 + 1000 }),
      /did not take the messages in time/,
    );
    let ms = Date.now() - t0;
    assert.ok(ms >= 900 && ms < 3000, `the attempt took ${ms} ms`);
    const cut = new AbortController();
    t0 = Date.now();
    setTimeout(() => cut.abort(), 300);
    await assert.rejects(
      sendSyslog(tcp(s.port), msgs, { deadline: t0 + 10_000, signal: cut.signal }),
      /before the deadline/,
    );
    ms = Date.now() - t0;
    assert.ok(ms < 2000, `cut after ${ms} ms`);
  } finally {
    s.close();
  }
});

test('the worker is the only retry: one connection per failed attempt, counted once each', async () => {
  // Accepts and resets every connection: each attempt fails after exactly one connection.
  const s = await server((c) => c.resetAndDestroy());
  const dir = mkdtempSync(join(tmpdir(), 'gp-sender-'));
  const dest = tcp(s.port);
  const q = DiskQueue.open(dir, dest.uri);
  try {
    q.push([{ eventId: 'e1', body: '<14>1 - - glasspane - test - one' }]);
    const w = new DeliveryWorker(dest, q, new SyslogTransport(dest), { baseMs: 200, maxMs: 400 });
    w.start();
    await w.finish(Date.now() + 2000);
    const st = q.stats();
    assert.equal(st.queued, 1, 'the record stays queued');
    assert.ok(st.failed >= 3, `${st.failed} attempts in 2 s with a 200-400 ms backoff`);
    assert.equal(s.accepted, st.failed, 'one connection per attempt: no retry inside an attempt');
    assert.match(st.lastError!, /ECONNRESET|connection lost|socket hang up|EPIPE/);
  } finally {
    q.close();
    s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("finish() cuts an attempt already in flight at the command's deadline", async () => {
  const s = await server((c) => c.pause());
  const dir = mkdtempSync(join(tmpdir(), 'gp-sender-'));
  const dest = tcp(s.port);
  const q = DiskQueue.open(dir, dest.uri);
  try {
    q.push(Array.from({ length: 200 }, (_, i) => ({ eventId: `e${i}`, body: 'x'.repeat(10000) })));
    const w = new DeliveryWorker(dest, q, new SyslogTransport(dest));
    w.start();
    // The attempt starts with no deadline but its own 10 s; the command then gives it one second.
    while (s.accepted === 0) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    await w.finish(t0 + 1000);
    const ms = Date.now() - t0;
    assert.ok(ms < 2500, `finish waited ${ms} ms`);
    assert.equal(q.stats().queued, 200);
  } finally {
    q.close();
    s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
