/**
 * The WebSocket host's limits, in process so the engine side can be held still: calls beyond
 * MAX_PENDING_CALLS are refused while the rest wait for their answers, and a client that stops
 * reading is dropped once it is too far behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDLE_STATUS, type CallResult } from '../../shared/ipc/contract';
import { MAX_PENDING_CALLS } from '../../shared/ipc/wire';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { startConsoleServer } from '../../src-main/serve/server';
import { WsClient } from './helpers/ws-client';

test('calls beyond MAX_PENDING_CALLS answer "too many calls" at once; the others complete', async () => {
  const release: (() => void)[] = [];
  const hub = createEventHub();
  const server = await startConsoleServer({
    staticDir: null,
    hub,
    log: () => {},
    dispatch: (name) =>
      new Promise<CallResult<unknown>>((resolve) =>
        release.push(() => resolve({ ok: true, value: { name } as unknown })),
      ),
  });
  try {
    const c = await WsClient.connect(server.origin, server.token);
    const extra = 5;
    const results = Array.from({ length: MAX_PENDING_CALLS + extra }, () => c.call('getSnapshot', {}));
    const refused = await Promise.all(results.slice(MAX_PENDING_CALLS));
    for (const r of refused)
      assert.deepEqual(r, { ok: false, error: { code: 'failed', message: 'too many calls in flight' } });
    assert.equal(release.length, MAX_PENDING_CALLS);
    for (const r of release) r();
    const answered = await Promise.all(results.slice(0, MAX_PENDING_CALLS));
    assert.ok(answered.every((r) => (r as { ok: boolean }).ok));
    // Room again once they are answered.
    const again = c.call('getSnapshot', {});
    await new Promise((r) => setTimeout(r, 50));
    release[MAX_PENDING_CALLS]!();
    assert.equal(((await again) as { ok: boolean }).ok, true);
    c.close();
  } finally {
    await server.close();
  }
});

test('a client that stops reading is dropped; others keep receiving events', async () => {
  const hub = createEventHub();
  const logs: string[] = [];
  const server = await startConsoleServer({
    staticDir: null,
    hub,
    log: (m) => logs.push(m),
    maxBufferedBytes: 256 * 1024,
    dispatch: async () => ({ ok: true, value: null }),
  });
  try {
    const slow = await WsClient.connect(server.origin, server.token);
    const fast = await WsClient.connect(server.origin, server.token);
    assert.equal(server.ws.clientCount(), 2);
    // The slow client's socket stops reading: the kernel buffers fill, then ws's own buffer grows.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = { ...IDLE_STATUS, message: 'x'.repeat(1000) };
    for (let i = 0; i < 20_000 && server.ws.clientCount() === 2; i++) {
      hub.emit('captureStatus', big);
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.equal(server.ws.clientCount(), 1, 'the slow client is gone');
    assert.ok(logs.some((l) => /does not keep up/.test(l)));
    const before = fast.events.length;
    hub.emit('captureStatus', IDLE_STATUS);
    await fast.waitForEvent((e) => fast.events.indexOf(e) >= before);
    fast.close();
  } finally {
    await server.close();
  }
});

test('events reach every authenticated client, and none reach a client before its hello', async () => {
  const hub = createEventHub();
  const server = await startConsoleServer({
    staticDir: null,
    hub,
    log: () => {},
    dispatch: async () => ({ ok: true, value: null }),
  });
  try {
    const a = await WsClient.connect(server.origin, server.token);
    const b = await WsClient.connect(server.origin, server.token);
    const anon = await WsClient.open(server.origin);
    hub.emit('captureStatus', { ...IDLE_STATUS, state: 'running', message: 'hello all' });
    for (const c of [a, b]) {
      const e = await c.waitForEvent((x) => x.name === 'captureStatus');
      assert.equal((e.payload as { message: string }).message, 'hello all');
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(anon.events.length, 0);
    for (const c of [a, b, anon]) c.close();
  } finally {
    await server.close();
  }
});

test('a client that stops answering pings is cut; one that answers stays', async () => {
  const hub = createEventHub();
  const server = await startConsoleServer({
    staticDir: null,
    hub,
    log: () => {},
    heartbeatMs: 100,
    dispatch: async () => ({ ok: true, value: null }),
  });
  try {
    const gone = await WsClient.connect(server.origin, server.token);
    const here = await WsClient.connect(server.origin, server.token);
    (gone.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(server.ws.clientCount(), 1);
    assert.equal(here.ws.readyState, here.ws.OPEN);
    here.close();
  } finally {
    await server.close();
  }
});
