/**
 * The renderer's store and link, driven through a fake of our own Transport interface: deltas apply
 * in order, a gap or a reconnection refetches the snapshot, refusals are shown, not thrown.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CallName, EventName } from '../../shared/ipc/channels';
import {
  IDLE_STATUS,
  type CallRequest,
  type CallResponse,
  type CallResult,
  type DeviceDelta,
  type EventPayload,
  type Snapshot,
} from '../../shared/ipc/contract';
import type { DeviceJson } from '../../shared/model/inventory';
import { createLink } from '../../src-renderer/store/link';
import { createGlasspaneStore } from '../../src-renderer/store/store';
import type { ConnectionState, Transport } from '../../src-renderer/transport/transport';

function device(id: string, packets: number): DeviceJson {
  return {
    id,
    mac: null,
    ips: [id.replace(/^ip:/, '')],
    hostname: null,
    vendor: null,
    ouiVendor: null,
    category: null,
    type: null,
    model: null,
    os: null,
    firmware: null,
    serial: null,
    hostnames: [],
    roles: [],
    protocols: [],
    services: [],
    vlans: [],
    localMac: false,
    router: false,
    routed: false,
    via: [],
    firstSeen: '2026-01-01T00:00:00.000Z',
    lastSeen: '2026-01-01T00:00:00.000Z',
    packets,
    bytes: packets * 100,
    packetsSent: packets,
    packetsReceived: 0,
    bytesSent: packets * 100,
    bytesReceived: 0,
  };
}

const delta = (
  sequence: number,
  upserts: DeviceJson[],
  removals: string[] = [],
  reset = false,
): DeviceDelta => ({
  sequence,
  reset,
  upserts,
  removals,
  edgeUpserts: [],
  edgeRemovals: [],
});

type Answer = { [K in CallName]?: (req: CallRequest<K>) => CallResult<CallResponse<K>> };

/** A fake of the renderer's Transport: answers calls from a table and lets the test push events. */
class FakeTransport implements Transport {
  readonly kind = 'websocket' as const;
  readonly calls: CallName[] = [];
  private current: ConnectionState = { kind: 'connecting' };
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private readonly eventListeners = new Map<EventName, Set<(p: unknown) => void>>();
  constructor(private readonly answers: Answer) {}

  async call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResult<CallResponse<K>>> {
    this.calls.push(name);
    const a = this.answers[name] as ((r: CallRequest<K>) => CallResult<CallResponse<K>>) | undefined;
    return a ? a(request) : { ok: false, error: { code: 'unavailable', message: `${name} not faked` } };
  }
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void {
    const set = this.eventListeners.get(name) ?? new Set();
    this.eventListeners.set(name, set);
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }
  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    for (const l of this.eventListeners.get(name) ?? []) l(payload);
  }
  state(): ConnectionState {
    return this.current;
  }
  onState(listener: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }
  setState(s: ConnectionState): void {
    this.current = s;
    for (const l of this.stateListeners) l(s);
  }
  close(): void {}
}

const settle = () => new Promise((r) => setImmediate(r));

function snapshotOf(sequence: number, devices: DeviceJson[]): Snapshot {
  return { sequence, devices, edges: [], status: IDLE_STATUS };
}

test('connecting fetches sources and snapshot; deltas apply in order; a gap refetches', async () => {
  let snapshot = snapshotOf(5, [device('ip:192.0.2.1', 1)]);
  const transport = new FakeTransport({
    listSources: () => ({ ok: true, value: { interfaces: [], live: { available: true }, listedBy: 'os' } }),
    getSnapshot: () => ({ ok: true, value: snapshot }),
  });
  const store = createGlasspaneStore();
  createLink(transport, store);
  assert.equal(store.getState().connection.kind, 'connecting');
  assert.deepEqual(transport.calls, []);

  transport.setState({ kind: 'connected' });
  await settle();
  assert.deepEqual(transport.calls.sort(), ['getSnapshot', 'listAlerts', 'listSources']);
  assert.equal(store.getState().sources.kind, 'loaded');
  assert.equal(store.getState().sequence, 5);
  assert.equal(store.getState().devices.get('ip:192.0.2.1')?.packets, 1);

  transport.emit('deviceDelta', delta(6, [device('ip:192.0.2.1', 9), device('ip:192.0.2.2', 3)]));
  assert.equal(store.getState().sequence, 6);
  assert.equal(store.getState().devices.get('ip:192.0.2.1')?.packets, 9);
  assert.equal(store.getState().devices.size, 2);

  transport.emit('deviceDelta', delta(7, [], ['ip:192.0.2.1']));
  assert.deepEqual([...store.getState().devices.keys()], ['ip:192.0.2.2']);

  // Sequence 9 after 7: one batch was lost. The store keeps its state and asks for a snapshot.
  snapshot = snapshotOf(9, [device('ip:192.0.2.7', 4)]);
  transport.calls.length = 0;
  transport.emit('deviceDelta', delta(9, [device('ip:192.0.2.99', 1)]));
  assert.equal(store.getState().devices.has('ip:192.0.2.99'), false);
  await settle();
  assert.deepEqual(transport.calls, ['getSnapshot']);
  assert.equal(store.getState().sequence, 9);
  assert.deepEqual([...store.getState().devices.keys()], ['ip:192.0.2.7']);

  // A reset (new capture) replaces everything, whatever the sequence.
  transport.emit('deviceDelta', delta(1, [device('ip:198.51.100.1', 2)], [], true));
  assert.deepEqual([...store.getState().devices.keys()], ['ip:198.51.100.1']);
  assert.equal(store.getState().sequence, 1);
});

test('losing the connection is shown; coming back refetches', async () => {
  const transport = new FakeTransport({
    listSources: () => ({ ok: false, error: { code: 'failed', message: 'pcap exploded' } }),
    getSnapshot: () => ({ ok: true, value: snapshotOf(0, []) }),
  });
  const store = createGlasspaneStore();
  createLink(transport, store);
  transport.setState({ kind: 'connected' });
  await settle();
  assert.deepEqual(store.getState().sources, { kind: 'failed', message: 'pcap exploded' });

  transport.setState({ kind: 'disconnected', reason: 'host gone', retryAt: 123 });
  assert.deepEqual(store.getState().connection, { kind: 'disconnected', reason: 'host gone', retryAt: 123 });
  transport.calls.length = 0;
  transport.setState({ kind: 'connected' });
  await settle();
  assert.deepEqual(transport.calls.sort(), ['getSnapshot', 'listAlerts', 'listSources']);
});

test('opening a capture: a refusal becomes the action error; a status event updates the status', async () => {
  const transport = new FakeTransport({
    chooseCaptureFiles: () => ({ ok: true, value: { supported: true, paths: ['/tmp/a.pcapng'] } }),
    openCapture: (req) =>
      req.paths[0] === '/tmp/a.pcapng'
        ? { ok: false, error: { code: 'unavailable', message: 'engine not wired in' } }
        : { ok: true, value: IDLE_STATUS },
  });
  const store = createGlasspaneStore();
  const link = createLink(transport, store);
  assert.equal(await link.pickAndOpenCapture(), true);
  assert.equal(store.getState().actionError, 'engine not wired in');

  transport.emit('captureStatus', {
    ...IDLE_STATUS,
    state: 'finished',
    counters: { ...IDLE_STATUS.counters, packets: 42 },
  });
  assert.equal(store.getState().capture.state, 'finished');
  assert.equal(store.getState().capture.counters.packets, 42);

  const noPicker = new FakeTransport({
    chooseCaptureFiles: () => ({ ok: true, value: { supported: false, paths: [] } }),
  });
  assert.equal(await createLink(noPicker, createGlasspaneStore()).pickAndOpenCapture(), false);
  assert.deepEqual(noPicker.calls, ['chooseCaptureFiles']);
});
