import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CALL_NAMES, callChannel, eventChannel } from '../../shared/ipc/channels';
import { IDLE_STATUS, parseResponse, type CallResult } from '../../shared/ipc/contract';
import { createDispatcher } from '../../src-main/ipc/dispatch';
import { CallFailure, type EngineHandlers } from '../../src-main/ipc/engine-api';
import { createEventHub } from '../../src-main/ipc/event-hub';
import {
  createIpcBridge,
  send,
  type IpcInvokeEventLike,
  type IpcMainLike,
  type IpcTargetLike,
} from '../../src-main/ipc/ipc-main';
import { placeholderEngine } from '../helpers/placeholder-engine';
import { ownRendererOnly, type SenderFrameLike } from '../../src-main/ipc/sender';

const INDEX = join('/opt/Glasspane/resources/app.asar/dist/renderer', 'index.html');
const OWN_URL = pathToFileURL(INDEX).href;

type Listener = (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

/** A fake of our own IpcMainLike: records handlers and invokes them the way Electron would. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, frame: SenderFrameLike | null, ...args: unknown[]): Promise<CallResult<unknown>> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`no handler for ${channel}`);
    return h({ senderFrame: frame }, ...args) as Promise<CallResult<unknown>>;
  }
}

function recordingEngine() {
  const seen: { name: string; request: unknown }[] = [];
  const engine: EngineHandlers = {
    // Calls these tests do not exercise: answered as by an engine with nothing behind it.
    ...placeholderEngine(),
    listSources: () => {
      seen.push({ name: 'listSources', request: {} });
      return { interfaces: [], live: { available: true }, listedBy: 'os' };
    },
    chooseCaptureFiles: () => ({ supported: false, paths: [] }),
    getDevice: (req) => {
      seen.push({ name: 'getDevice', request: req });
      throw new CallFailure('bad-request', 'no such device');
    },
    editDevice: (req) => {
      seen.push({ name: 'editDevice', request: req });
      throw new CallFailure('bad-request', 'no such device');
    },
    openCapture: (req) => {
      seen.push({ name: 'openCapture', request: req });
      if (req.paths[0] === '/boom') throw new Error('disk on fire');
      throw new CallFailure('unavailable', 'not yet');
    },
    startCapture: (req) => {
      seen.push({ name: 'startCapture', request: req });
      return {
        ...IDLE_STATUS,
        state: 'starting',
        source: { kind: 'live', interfaces: req.interfaces, filter: null },
      };
    },
    stopCapture: () => IDLE_STATUS,
    getSnapshot: () => ({ sequence: 0, devices: [], edges: [], status: IDLE_STATUS }),
  };
  return { engine, seen };
}

function setup() {
  const ipc = new FakeIpcMain();
  const logs: string[] = [];
  const { engine, seen } = recordingEngine();
  const bridge = createIpcBridge(ipc, ownRendererOnly(INDEX), (m) => logs.push(m));
  bridge.handleAll(engine);
  return { ipc, logs, seen, bridge };
}

test('every call of the contract gets a channel, and dispose removes them', () => {
  const { ipc, bridge } = setup();
  assert.deepEqual([...ipc.handlers.keys()].sort(), CALL_NAMES.map(callChannel).sort());
  bridge.dispose();
  assert.equal(ipc.handlers.size, 0);
});

test('our own renderer is served; the payload reaches the handler validated', async () => {
  const { ipc, seen } = setup();
  const r = await ipc.invoke(
    callChannel('startCapture'),
    { url: OWN_URL, parent: null },
    { interfaces: ['eth0'] },
  );
  assert.ok(r.ok);
  assert.equal((r.value as { state: string }).state, 'starting');
  assert.deepEqual(seen, [{ name: 'startCapture', request: { interfaces: ['eth0'] } }]);
  // The same document with a query or fragment is still ours.
  const q = await ipc.invoke(callChannel('listSources'), { url: `${OWN_URL}?x=1#grid`, parent: null }, {});
  assert.ok(q.ok);
});

test('other senders are refused before the handler runs', async () => {
  const { ipc, seen, logs } = setup();
  const strangers: (SenderFrameLike | null)[] = [
    null,
    { url: 'https://evil.example/index.html', parent: null },
    { url: 'http://127.0.0.1:8080/index.html', parent: null },
    { url: pathToFileURL('/tmp/index.html').href, parent: null },
    { url: pathToFileURL('/opt/Glasspane/resources/app.asar/dist/renderer/other.html').href, parent: null },
    { url: OWN_URL.replace('file:///', 'file://evil-host/'), parent: null },
    { url: OWN_URL, parent: { url: 'https://evil.example/' } },
    { url: 'not a url', parent: null },
    { url: 'devtools://devtools/bundled/inspector.html', parent: null },
  ];
  for (const frame of strangers) {
    const r = await ipc.invoke(callChannel('startCapture'), frame, { interfaces: ['eth0'] });
    assert.deepEqual(
      r,
      { ok: false, error: { code: 'forbidden', message: 'startCapture: sender not allowed' } },
      JSON.stringify(frame),
    );
  }
  assert.equal(seen.length, 0);
  assert.equal(logs.length, strangers.length);
});

test('invalid payloads are refused before the handler runs', async () => {
  const { ipc, seen } = setup();
  const own = { url: OWN_URL, parent: null };
  const cases: unknown[][] = [
    [{ interfaces: [] }],
    [{ interfaces: ['eth0'], filter: 42 }],
    [{ interfaces: ['eth0'], command: 'rm -rf /' }],
    [],
    [{ interfaces: ['eth0'] }, 'extra argument'],
  ];
  for (const args of cases) {
    const r = await ipc.invoke(callChannel('startCapture'), own, ...args);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'bad-request', JSON.stringify(args));
  }
  assert.equal(seen.length, 0);
});

test('handler failures become error envelopes, never exceptions', async () => {
  const { ipc, logs } = setup();
  const own = { url: OWN_URL, parent: null };
  const refused = await ipc.invoke(callChannel('openCapture'), own, { paths: ['/a.pcap'] });
  assert.deepEqual(refused, { ok: false, error: { code: 'unavailable', message: 'not yet' } });
  const crashed = await ipc.invoke(callChannel('openCapture'), own, { paths: ['/boom'] });
  assert.ok(!crashed.ok);
  assert.equal(crashed.error.code, 'failed');
  assert.match(crashed.error.message, /disk on fire/);
  assert.ok(logs.some((l) => l.includes('disk on fire')));
});

test('the transport-agnostic dispatcher refuses unknown and inherited names', async () => {
  const { engine } = recordingEngine();
  const dispatch = createDispatcher(engine, () => {});
  for (const name of ['shutdown', 'constructor', 'toString', 42, null]) {
    const r = await dispatch(name, {});
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'unknown-call');
  }
  const ok = await dispatch('stopCapture', {});
  assert.deepEqual(ok, { ok: true, value: IDLE_STATUS });
});

test('send() uses the event channel and skips destroyed windows; the hub survives a bad listener', () => {
  const sent: [string, unknown][] = [];
  let destroyed = false;
  const target: IpcTargetLike = { send: (c, p) => sent.push([c, p]), isDestroyed: () => destroyed };
  assert.equal(send(target, 'captureStatus', IDLE_STATUS), true);
  destroyed = true;
  assert.equal(send(target, 'captureStatus', IDLE_STATUS), false);
  assert.deepEqual(sent, [[eventChannel('captureStatus'), IDLE_STATUS]]);

  const logs: string[] = [];
  const hub = createEventHub((m) => logs.push(m));
  const got: string[] = [];
  hub.subscribe(() => {
    throw new Error('window gone');
  });
  const off = hub.subscribe((name) => got.push(name));
  hub.emit('captureStatus', IDLE_STATUS);
  off();
  hub.emit('captureStatus', IDLE_STATUS);
  assert.deepEqual(got, ['captureStatus']);
  assert.equal(logs.length, 2);
});

test('the placeholder engine lists this machine’s interfaces in the contract’s shape', async () => {
  const dispatch = createDispatcher(placeholderEngine(), () => {});
  const r = await dispatch('listSources', {});
  assert.ok(r.ok);
  const parsed = parseResponse('listSources', r.value);
  assert.ok(parsed.ok, !parsed.ok ? parsed.message : '');
  const names = new Set(parsed.value.interfaces.map((i) => i.name));
  // Every interface the OS reports with an address must be offered.
  for (const name of Object.keys(networkInterfaces())) assert.ok(names.has(name), `${name} missing`);
  const lo = parsed.value.interfaces.find((i) => i.name === 'lo' || i.name === 'lo0');
  if (lo) {
    assert.equal(lo.flags.loopback, true);
    assert.ok(lo.addresses.some((a) => a.address === '127.0.0.1' || a.address === '::1'));
  }
  const open = await dispatch('openCapture', { paths: ['/tmp/x.pcap'] });
  assert.ok(!open.ok);
  assert.equal(open.error.code, 'unavailable');
  assert.match(open.error.message, /glasspane analyze/);
});

test('without libpcap, sources fall back to the OS list and say why live capture is off', async (t) => {
  if (process.platform !== 'linux') return t.skip('the OS fallback flags are read from /sys/class/net');
  const before = process.env.GLASSPANE_FAKE_NO_CAP;
  process.env.GLASSPANE_FAKE_NO_CAP = '1';
  try {
    const r = await createDispatcher(placeholderEngine(), () => {})('listSources', {});
    assert.ok(r.ok);
    const parsed = parseResponse('listSources', r.value);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.listedBy, 'os');
    assert.equal(parsed.value.live.available, false);
    if (!parsed.value.live.available) {
      assert.match(parsed.value.live.reason, /cap/);
      assert.ok(parsed.value.live.fix.length > 0);
    }
    for (const name of Object.keys(networkInterfaces())) {
      assert.ok(
        parsed.value.interfaces.some((i) => i.name === name),
        `${name} missing`,
      );
    }
  } finally {
    if (before === undefined) delete process.env.GLASSPANE_FAKE_NO_CAP;
    else process.env.GLASSPANE_FAKE_NO_CAP = before;
  }
});
