/**
 * The main process's handle on the engine utility process: starts it on first use, forwards calls,
 * relays its events to the hub, and restarts it after a crash (a few times a minute at most; after
 * that calls answer 'unavailable' instead of spinning). It also forks the Node capture helper when
 * the engine asks (only main may fork a utility process; see capture/live/helper-relay.ts). The engine
 * gets half the machine's memory as heap, within what Electron allows (engine/heap-room.ts).
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import { CALL_NAMES, type CallName } from '../../shared/ipc/channels';
import { IDLE_STATUS } from '../../shared/ipc/contract';
import { CallFailure, type CallHandler, type EngineHandlers } from '../ipc/engine-api';
import { remoteEngine, type PortLike, type RemoteEngine } from '../ipc/engine-port';
import type { EventHub } from '../ipc/event-hub';
import { serveHelperForks } from '../capture/live/helper-relay';
import { engineHeapArgs } from '../engine/heap-room';

const MAX_RESTARTS_PER_MINUTE = 5;

export interface EngineProcess {
  handlers: EngineHandlers;
  stop(): void;
}

export function startEngineProcess(entry: string, captureHelper: string, hub: EventHub): EngineProcess {
  let child: UtilityProcess | null = null;
  let remote: RemoteEngine | null = null;
  let stopping = false;
  const starts: number[] = [];

  const spawn = (): RemoteEngine => {
    const c = utilityProcess.fork(entry, [], {
      serviceName: 'Glasspane engine',
      stdio: 'inherit',
      execArgv: engineHeapArgs(),
    });
    // Messages wait until the process has spawned; remoteEngine bounds how many can be in flight.
    let spawned = false;
    const queue: unknown[] = [];
    const listeners = new Set<(m: unknown) => void>();
    c.once('spawn', () => {
      spawned = true;
      for (const m of queue.splice(0)) c.postMessage(m);
    });
    c.on('message', (m: unknown) => {
      for (const l of listeners) l(m);
    });
    const port: PortLike = {
      post: (m) => (spawned ? c.postMessage(m) : queue.push(m)),
      listen: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const r = remoteEngine(port);
    r.onEvent((name, payload) => hub.emit(name, payload));
    const stopHelpers = serveHelperForks(port, (config) =>
      utilityProcess.fork(captureHelper, [config], { serviceName: 'Glasspane capture', stdio: 'pipe' }),
    );
    c.once('exit', (code) => {
      r.dispose();
      stopHelpers();
      if (child === c) {
        child = null;
        remote = null;
      }
      if (!stopping) {
        hub.emit('captureStatus', {
          ...IDLE_STATUS,
          state: 'failed',
          message: `The engine process stopped unexpectedly (exit code ${code}); it restarts on the next request.`,
        });
      }
    });
    child = c;
    return r;
  };

  const current = (): RemoteEngine => {
    if (remote) return remote;
    const now = Date.now();
    while (starts.length > 0 && now - starts[0]! > 60_000) starts.shift();
    if (starts.length >= MAX_RESTARTS_PER_MINUTE) {
      throw new CallFailure(
        'unavailable',
        'The engine process keeps stopping; restart Glasspane and see its log.',
      );
    }
    starts.push(now);
    remote = spawn();
    return remote;
  };

  const forward =
    <K extends CallName>(name: K): CallHandler<K> =>
    (request) =>
      (current().handlers[name] as CallHandler<K>)(request);

  return {
    handlers: Object.fromEntries(CALL_NAMES.map((n) => [n, forward(n)])) as EngineHandlers,
    stop() {
      stopping = true;
      remote?.dispose();
      child?.kill();
    },
  };
}
