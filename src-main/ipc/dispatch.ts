/**
 * Validate-then-call: the single path every incoming call takes, whatever the transport. Unknown
 * names and payloads that fail their schema never reach a handler; handler exceptions become error
 * envelopes with a bounded message, never a crash of the host.
 */
import { isCallName, type CallName } from '../../shared/ipc/channels';
import { parseRequest, type CallResult } from '../../shared/ipc/contract';
import { IPC_LIMITS } from '../../shared/ipc/limits';
import { CallFailure, type CallHandler, type EngineHandlers } from './engine-api';

export type Dispatch = (name: unknown, payload: unknown) => Promise<CallResult<unknown>>;

export type Logger = (message: string) => void;

export function errorMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.slice(0, IPC_LIMITS.text);
}

/** Validates one call's payload and runs its handler. */
export async function runCall<K extends CallName>(
  name: K,
  handler: CallHandler<K>,
  payload: unknown,
  log: Logger,
): Promise<CallResult<unknown>> {
  const parsed = parseRequest(name, payload);
  if (!parsed.ok) {
    log(`ipc: rejected ${name}: ${parsed.message}`);
    return { ok: false, error: { code: 'bad-request', message: `${name}: ${parsed.message}` } };
  }
  try {
    return { ok: true, value: await handler(parsed.value) };
  } catch (e) {
    if (e instanceof CallFailure) return { ok: false, error: { code: e.code, message: errorMessage(e) } };
    log(`ipc: ${name} failed: ${errorMessage(e)}`);
    return { ok: false, error: { code: 'failed', message: `${name} failed: ${errorMessage(e)}` } };
  }
}

export function createDispatcher(handlers: EngineHandlers, log: Logger = console.warn): Dispatch {
  return async (name, payload) => {
    if (!isCallName(name)) {
      const shown = typeof name === 'string' ? name.slice(0, 64) : typeof name;
      return { ok: false, error: { code: 'unknown-call', message: `unknown call: ${shown}` } };
    }
    return runCall(name, handlers[name] as CallHandler<typeof name>, payload, log);
  };
}
