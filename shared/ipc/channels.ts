/**
 * The names that may cross between engine and UI, and nothing else. Kept apart from the schemas so
 * that the Electron preload (which only needs to gate channel names) does not bundle zod.
 * contract.ts checks at compile time that these lists match its call and event maps exactly.
 */
export const CALL_NAMES = [
  'listSources',
  'chooseCaptureFiles',
  'openCapture',
  'startCapture',
  'stopCapture',
  'getSnapshot',
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
] as const;

export const EVENT_NAMES = ['captureStatus', 'deviceDelta', 'alert', 'uiCommand', 'forwardState'] as const;

export type CallName = (typeof CALL_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

const callSet: ReadonlySet<string> = new Set(CALL_NAMES);
const eventSet: ReadonlySet<string> = new Set(EVENT_NAMES);

export function isCallName(x: unknown): x is CallName {
  return typeof x === 'string' && callSet.has(x);
}

export function isEventName(x: unknown): x is EventName {
  return typeof x === 'string' && eventSet.has(x);
}

/** Electron IPC channel strings; the WebSocket wire uses the bare names inside its envelope. */
export function callChannel(name: CallName): `glasspane:call:${CallName}` {
  return `glasspane:call:${name}`;
}

export function eventChannel(name: EventName): `glasspane:event:${EventName}` {
  return `glasspane:event:${name}`;
}
