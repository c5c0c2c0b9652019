/**
 * Contract calls that an engine from before them does not answer: it replies 'unknown-call' (the
 * WebSocket host) or the preload refuses the name (an older desktop app). The renderer then hides the
 * feature or says it is not available, and does not ask again.
 */
import type { CallName } from '../../shared/ipc/channels';
import type { CallError } from '../../shared/ipc/contract';

export const OPTIONAL_CALLS = [
  'getDevice',
  'editDevice',
  'listAlerts',
  'getTimeline',
  'interfaceCounters',
  'exportReport',
  'checkFilter',
  'getForwarding',
  'addForwardDestination',
  'removeForwardDestination',
  'listSensors',
  'getSensorConnection',
  'setSensorConnection',
] as const satisfies readonly CallName[];

export type OptionalCallName = (typeof OPTIONAL_CALLS)[number];

/** Everything that can be missing from a host. */
export type FeatureName = OptionalCallName;

export type OptionalResult<T> = { ok: true; value: T } | { ok: false; unsupported: boolean; message: string };

export function isUnknownCall(error: CallError): boolean {
  return error.code === 'unknown-call';
}
