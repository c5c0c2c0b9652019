/**
 * What one WebSocket client may send (WS_LIMITS), against the real console server on loopback with
 * real `ws` clients: before the hello one small frame, cut off while it arrives; after it a frame
 * size, a message rate and a number of clients, each with its own close code and reason.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CallResult } from '../../shared/ipc/contract';
import { WS_LIMITS } from '../../shared/ipc/limits';
import { CLOSE_CODES, MAX_PENDING_CALLS } from '../../shared/ipc/wire';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { startConsoleServer, type ConsoleServer } from '../../src-main/serve/server';
import { WsClient } from './helpers/ws-client';

let server: ConsoleServer;
const calls: string[] = [];
const logs: string[] = [];

before(async () => {
  server = await startConsoleServer({
    staticDir: null,
    hub: createEventHub(),
    log: (m) => logs.push(m),
    dispatch: async (name) => {
      calls.push(String(name));
      return { ok: true, value: null } as CallResult<unknown>;
    },
  });
});

after(async () => {
  await server.close();
});

/** The raw TCP socket under a ws client, to write frames the ws API would not. */
function rawSocket(c: WsClient): { write(b: Buffer): boolean } {
  return (c.ws as unknown as { _socket: { write(b: Buffer): boolean } })._socket;
}

/** A masked text frame header announcing `length` payload bytes (64-bit length form), zero mask. */
function frameHeader(length: number): Buffer {
  const h = Buffer.alloc(14);
  h[0] = 0x81; // FIN, text
  h[1] = 0x80 | 127; // masked, 64-bit length follows
  h.writeBigUInt64BE(BigInt(length), 2);
  // Mask key 0: the payload goes as it is.
  return h;
}

test('a large first frame is cut off while it arrives: 1009 before the rest is sent', async () => {
  const c = await WsClient.open(server.origin);
  // Announce 1 MiB, send 16 KiB of it and nothing more: only a close that does not wait for the
  // frame to complete (and so never parses it) can answer.
  rawSocket(c).write(Buffer.concat([frameHeader(1024 * 1024), Buffer.alloc(16 * 1024, 0x61)]));
  const closed = await c.closed;
  assert.equal(closed.code, 1009);
  assert.equal(closed.reason, 'too large before hello');
  assert.deepEqual(calls, []);
});

test('a complete first frame just over the pre-hello limit is closed with 1009, not parsed', async () => {
  const c = await WsClient.open(server.origin);
  // Valid JSON with a hello's shape, so a parse would have answered 4400 or 4401 instead.
  const pad = 'x'.repeat(WS_LIMITS.preHelloBytes);
  c.send(JSON.stringify({ t: 'hello', protocol: 1, token: server.token, pad }));
  const closed = await c.closed;
  assert.equal(closed.code, 1009);
  assert.equal(closed.reason, 'too large before hello');
});

test('a small frame that is not the hello closes before anything is dispatched', async () => {
  const c = await WsClient.open(server.origin);
  c.send({ t: 'call', id: 1, name: 'listSources', payload: {} });
  const closed = await c.closed;
  assert.equal(closed.code, CLOSE_CODES.unauthorized);
  assert.equal(closed.reason, 'hello first');
  assert.deepEqual(calls, []);
});

test('after the hello: frames up to the client limit are read, larger ones close with 1009', async () => {
  const c = await WsClient.connect(server.origin, server.token);
  // Far above the pre-hello limit, well within the authenticated one: answered.
  const r = (await c.call('getDevice', { id: 'd'.repeat(100_000) })) as { ok: boolean };
  assert.equal(r.ok, true);
  c.send('"' + 'a'.repeat(WS_LIMITS.clientFrameBytes) + '"');
  const closed = await c.closed;
  assert.equal(closed.code, 1009);
  assert.equal(closed.reason, 'frame too large');
});

test('a client sending faster than the token bucket allows is closed with 1008', async () => {
  const steady = await WsClient.connect(server.origin, server.token);
  // A burst within the bucket (and within MAX_PENDING_CALLS) is answered in full.
  const burst = await Promise.all(Array.from({ length: 50 }, () => steady.call('listSources', {})));
  assert.ok(50 <= MAX_PENDING_CALLS && 50 <= WS_LIMITS.messageBurst);
  assert.ok(burst.every((r) => (r as { ok: boolean }).ok));

  const flood = await WsClient.connect(server.origin, server.token);
  for (let i = 0; i < WS_LIMITS.messageBurst * 5; i++)
    flood.send({ t: 'call', id: i + 1, name: 'listSources', payload: {} });
  const closed = await flood.closed;
  assert.equal(closed.code, 1008);
  assert.equal(closed.reason, 'too many messages');
  assert.ok(logs.some((l) => /too many messages/.test(l)));
  // The flood cost the other client nothing.
  assert.equal(((await steady.call('listSources', {})) as { ok: boolean }).ok, true);
  steady.close();
});

test('clients beyond WS_LIMITS.clients are closed with 1013 after their hello; room comes back', async () => {
  const open: WsClient[] = [];
  while (server.ws.clientCount() < WS_LIMITS.clients)
    open.push(await WsClient.connect(server.origin, server.token));
  const extra = await WsClient.open(server.origin);
  await assert.rejects(extra.hello(server.token), /closed 1013 too many clients/);
  assert.equal(server.ws.clientCount(), WS_LIMITS.clients);
  const first = open.shift()!;
  const gone = first.closed;
  first.close();
  await gone;
  for (let i = 0; server.ws.clientCount() >= WS_LIMITS.clients && i < 100; i++)
    await new Promise((r) => setTimeout(r, 10));
  const again = await WsClient.connect(server.origin, server.token);
  open.push(again);
  for (const c of open) c.close();
});
