/**
 * The engine across a real structured-clone message channel (worker_threads' MessageChannel stands in
 * for Electron's utility-process port): calls, refusals, events, a vanished engine and a mute one, and
 * the real engine reading a real capture into the renderer's store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { IDLE_STATUS, parseEvent, type CaptureStatus, type DeviceDelta } from '../../shared/ipc/contract';
import { createEngine } from '../../src-main/engine/engine';
import { createDispatcher } from '../../src-main/ipc/dispatch';
import { placeholderEngine } from '../helpers/placeholder-engine';
import { CallFailure, type EngineHandlers } from '../../src-main/ipc/engine-api';
import { remoteEngine, serveEngine, type PortLike } from '../../src-main/ipc/engine-port';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { createGlasspaneStore } from '../../src-renderer/store/store';
import { corpusPath, skipUnlessCorpus } from '../helpers/corpus';
import { tshark, tsharkAvailable } from '../helpers/tshark';

function portOf(p: MessagePort): PortLike {
  return {
    post: (m) => p.postMessage(m),
    listen: (l) => {
      p.on('message', l);
      return () => p.off('message', l);
    },
  };
}

const engine: EngineHandlers = {
  // Calls these tests do not exercise: answered as by an engine with nothing behind it.
  ...placeholderEngine(),
  listSources: () => ({
    interfaces: [
      {
        name: 'eth0',
        description: null,
        mac: null,
        addresses: [],
        flags: { up: true, loopback: false, running: true },
      },
    ],
    live: { available: true },
    listedBy: 'pcap',
  }),
  chooseCaptureFiles: () => ({ supported: false, paths: [] }),
  getDevice: () => {
    throw new CallFailure('bad-request', 'no such device');
  },
  editDevice: () => {
    throw new CallFailure('bad-request', 'no such device');
  },
  openCapture: (req) => {
    throw new CallFailure('unavailable', `cannot open ${req.paths.length} file(s) yet`);
  },
  startCapture: (req) => ({
    ...IDLE_STATUS,
    state: 'starting',
    source: { kind: 'live', interfaces: req.interfaces, filter: req.filter ?? null },
  }),
  stopCapture: () => IDLE_STATUS,
  getSnapshot: () => ({ sequence: 3, devices: [], edges: [], status: IDLE_STATUS }),
};

function pair(timeoutMs?: number) {
  const { port1, port2 } = new MessageChannel();
  const hub = createEventHub(() => {});
  const stopServing = serveEngine(
    portOf(port1),
    createDispatcher(engine, () => {}),
    hub,
  );
  const remote = remoteEngine(portOf(port2), { timeoutMs });
  const close = () => {
    stopServing();
    remote.dispose();
    port1.close();
    port2.close();
  };
  return { hub, remote, close, port1, port2 };
}

test('calls cross the port and come back with their values', async () => {
  const { remote, close } = pair();
  try {
    const sources = await remote.handlers.listSources({});
    assert.equal(sources.interfaces[0]!.name, 'eth0');
    const started = await remote.handlers.startCapture({ interfaces: ['eth0', 'lo'], filter: 'arp' });
    assert.deepEqual(started.source, { kind: 'live', interfaces: ['eth0', 'lo'], filter: 'arp' });
    assert.equal((await remote.handlers.getSnapshot({})).sequence, 3);
  } finally {
    close();
  }
});

test('refusals keep their code; the engine validates again what it is sent', async () => {
  const { remote, close } = pair();
  try {
    await assert.rejects(
      async () => remote.handlers.openCapture({ paths: ['/a', '/b'] }),
      (e: unknown) => {
        assert.ok(e instanceof CallFailure);
        assert.equal(e.code, 'unavailable');
        assert.equal(e.message, 'cannot open 2 file(s) yet');
        return true;
      },
    );
    const bad = { interfaces: [] } as unknown as Parameters<EngineHandlers['startCapture']>[0];
    await assert.rejects(
      async () => remote.handlers.startCapture(bad),
      (e: unknown) => e instanceof CallFailure && e.code === 'bad-request',
    );
  } finally {
    close();
  }
});

test('engine events reach the host; junk on the port is ignored', async () => {
  const { hub, remote, close, port1 } = pair();
  try {
    const got: CaptureStatus[] = [];
    remote.onEvent((name, payload) => {
      if (name === 'captureStatus') got.push(payload as CaptureStatus);
    });
    port1.postMessage('junk');
    port1.postMessage({ t: 'event', name: 'selfDestruct', payload: {} });
    port1.postMessage({ t: 'result', id: 999, result: { ok: true, value: 1 } });
    hub.emit('captureStatus', { ...IDLE_STATUS, state: 'running' });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      got.map((s) => s.state),
      ['running'],
    );
    // The port still works after the junk.
    assert.equal((await remote.handlers.stopCapture({})).state, 'idle');
  } finally {
    close();
  }
});

test('a vanished engine answers unavailable; a mute one times out', async () => {
  // Nobody serves port1: calls wait until fail() or the timeout.
  const { port1, port2 } = new MessageChannel();
  const remote = remoteEngine(portOf(port2), { timeoutMs: 100 });
  try {
    const waiting = remote.handlers.listSources({});
    remote.fail('the engine process exited (code 9)');
    await assert.rejects(
      async () => waiting,
      (e: unknown) => e instanceof CallFailure && e.code === 'unavailable' && /code 9/.test(e.message),
    );
    await assert.rejects(
      async () => remote.handlers.listSources({}),
      (e: unknown) => e instanceof CallFailure && e.code === 'timeout',
    );
  } finally {
    remote.dispose();
    port1.close();
    port2.close();
  }
});

test('a real capture, through the engine behind a port, into the renderer’s store', async (t) => {
  const file = corpusPath('bacnet-iam__ndpi__bacnet.pcap');
  if (skipUnlessCorpus(t, file)) return;
  // Reference facts from tshark, not from our own code: the capture's frames and source MACs.
  if (!tsharkAvailable()) return t.skip('tshark is not available');
  const frames = tshark(['-r', file, '-T', 'fields', '-e', 'eth.src']).trim().split('\n');
  const macs = [...new Set(frames)];

  const { port1, port2 } = new MessageChannel();
  const hub = createEventHub(() => {});
  const engine = createEngine({ hub, collectMs: 20 });
  const stopServing = serveEngine(
    portOf(port1),
    createDispatcher(engine, () => {}),
    hub,
  );
  const remote = remoteEngine(portOf(port2));
  const store = createGlasspaneStore();
  const rejected: string[] = [];
  let finished: () => void;
  const done = new Promise<void>((r) => (finished = r));
  remote.onEvent((name, payload) => {
    // The host relays as-is; the renderer validates, as here.
    const p = parseEvent(name, payload);
    if (!p.ok) return void rejected.push(`${name}: ${p.message}`);
    if (name === 'deviceDelta')
      assert.ok(store.getState().applyDelta(p.value as DeviceDelta), 'no sequence gap');
    else if (name === 'captureStatus') {
      store.getState().setCapture(p.value as CaptureStatus);
      if ((p.value as CaptureStatus).state === 'finished') finished();
    }
  });
  try {
    const started = await remote.handlers.openCapture({ paths: [file] });
    assert.equal(started.source?.kind, 'file');
    await Promise.race([
      done,
      new Promise((_, no) => setTimeout(() => no(new Error('no finish in 10 s')), 10_000)),
    ]);
    assert.deepEqual(rejected, []);
    const s = store.getState();
    assert.equal(s.capture.counters.packets, frames.length);
    for (const mac of macs) assert.ok(s.devices.has(`mac:${mac}`), `mac:${mac} missing`);
    // The store, built from deltas alone, matches the engine's own snapshot.
    const snap = await remote.handlers.getSnapshot({});
    assert.deepEqual([...s.devices.keys()].sort(), snap.devices.map((d) => d.id).sort());
    assert.equal(s.sequence, snap.sequence);
  } finally {
    stopServing();
    remote.dispose();
    await engine.close();
    port1.close();
    port2.close();
  }
});
