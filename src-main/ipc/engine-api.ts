/**
 * The engine side of the IPC contract, free of any transport: one handler per call. Electron IPC
 * (src-main/electron/ipc.ts) and the WebSocket host both serve the same handlers through dispatch.ts.
 */
import type { CallName, EventName } from '../../shared/ipc/channels';
import type { CallRequest, CallResponse, ErrorCode, EventPayload } from '../../shared/ipc/contract';

export type CallHandler<K extends CallName> = (
  request: CallRequest<K>,
) => Promise<CallResponse<K>> | CallResponse<K>;

export type EngineHandlers = { [K in CallName]: CallHandler<K> };

/** Thrown by a handler to answer with a specific error code; any other exception answers 'failed'. */
export class CallFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CallFailure';
  }
}

/** Where the engine pushes events; each transport subscribes and forwards. */
export type EventListener = <K extends EventName>(name: K, payload: EventPayload<K>) => void;
