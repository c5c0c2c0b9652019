/**
 * The engine across a message port: the Electron main process forwards validated calls to the engine
 * in a utility process (Electron's utilityProcess.fork) and relays its events, so decoding and
 * classification never run on the thread that drives the window. Ports are structured-clone message
 * channels (Electron's UtilityProcess / parentPort, Node's worker_threads MessagePort in tests);
 * both ends check every message's shape, and neither throws on a bad one.
 *
 *   host -> engine   { t: 'call', id, name, payload }
 *   engine -> host   { t: 'result', id, result }      result is a CallResult envelope
 *   engine -> host   { t: 'event', name, payload }
 */
import { z } from 'zod';
import { CALL_NAMES, isEventName, type CallName, type EventName } from '../../shared/ipc/channels';
import type { CallResult, EventPayload } from '../../shared/ipc/contract';
import type { Dispatch } from './dispatch';
import { CallFailure, type CallHandler, type EngineHandlers, type EventListener } from './engine-api';
import type { EventHub } from './event-hub';

export interface PortLike {
  post(message: unknown): void;
  /** Subscribes to incoming messages; returns the unsubscribe function. */
  listen(listener: (message: unknown) => void): () => void;
}

const callId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const toEngine = z.object({
  t: z.literal('call'),
  id: callId,
  name: z.string().max(64),
  payload: z.unknown(),
});
const fromEngine = z.discriminatedUnion('t', [
  z.object({ t: z.literal('result'), id: callId, result: z.unknown() }),
  z.object({ t: z.literal('event'), name: z.string().max(64), payload: z.unknown() }),
]);

/** Engine side: answers calls with the (validating) dispatcher and posts every hub event. */
export function serveEngine(port: PortLike, dispatch: Dispatch, hub: EventHub): () => void {
  const stopEvents = hub.subscribe((name, payload) => port.post({ t: 'event', name, payload }));
  const stopCalls = port.listen((raw) => {
    const m = toEngine.safeParse(raw);
    if (!m.success) return;
    void dispatch(m.data.name, m.data.payload).then((result) =>
      port.post({ t: 'result', id: m.data.id, result }),
    );
  });
  return () => {
    stopEvents();
    stopCalls();
  };
}

export interface RemoteEngine {
  /** Handlers that forward to the engine; a refusal there is re-thrown as the same CallFailure. */
  handlers: EngineHandlers;
  onEvent(listener: EventListener): () => void;
  /** The engine is gone: every pending call answers 'unavailable' with this reason. */
  fail(reason: string): void;
  dispose(): void;
}

export interface RemoteOptions {
  timeoutMs?: number;
  maxPending?: number;
}

/**
 * Host side. Requests are validated by the caller (the IPC bridge) before they get here; results and
 * events are passed on as they are, and the UI validates them (it must anyway: it trusts no host).
 */
export function remoteEngine(port: PortLike, opts: RemoteOptions = {}): RemoteEngine {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxPending = opts.maxPending ?? 256;
  const pending = new Map<
    number,
    { resolve(r: CallResult<unknown>): void; timer: ReturnType<typeof setTimeout> }
  >();
  const listeners = new Set<EventListener>();
  let nextId = 1;

  const stop = port.listen((raw) => {
    const m = fromEngine.safeParse(raw);
    if (!m.success) return;
    if (m.data.t === 'result') {
      const p = pending.get(m.data.id);
      if (!p) return;
      pending.delete(m.data.id);
      clearTimeout(p.timer);
      const r = m.data.result as CallResult<unknown> | null;
      const ok = typeof r === 'object' && r !== null && typeof r.ok === 'boolean';
      p.resolve(
        ok ? r : { ok: false, error: { code: 'failed', message: 'malformed reply from the engine' } },
      );
    } else if (isEventName(m.data.name)) {
      const name: EventName = m.data.name;
      for (const l of listeners) l(name, m.data.payload as EventPayload<typeof name>);
    }
  });

  const call = (name: CallName, payload: unknown): Promise<CallResult<unknown>> => {
    if (pending.size >= maxPending) {
      return Promise.resolve({ ok: false, error: { code: 'failed', message: 'too many calls in flight' } });
    }
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve({ ok: false, error: { code: 'timeout', message: `${name}: the engine did not answer` } });
      }, timeoutMs);
      pending.set(id, { resolve, timer });
      port.post({ t: 'call', id, name, payload });
    });
  };

  const forward =
    <K extends CallName>(name: K): CallHandler<K> =>
    async (request) => {
      const r = await call(name, request);
      if (r.ok) return r.value as Awaited<ReturnType<CallHandler<K>>>;
      throw new CallFailure(r.error.code, r.error.message);
    };

  const handlers = Object.fromEntries(CALL_NAMES.map((n) => [n, forward(n)])) as EngineHandlers;

  const fail = (reason: string) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.resolve({ ok: false, error: { code: 'unavailable', message: reason } });
    }
  };

  return {
    handlers,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    fail,
    dispose() {
      stop();
      fail('the engine connection was closed');
      listeners.clear();
    },
  };
}
