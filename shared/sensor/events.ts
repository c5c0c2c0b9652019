/**
 * What a sensors' console notices about the sensors themselves (not about the network): events in
 * code, their severity and wording in the alert policy (shared/alerts/policy.ts, `sensor.<event>`),
 * so a site can tune them like any other alert.
 */
export const SENSOR_EVENTS = [
  /** No health message for longer than the silence threshold (5 minutes by default). */
  'disconnected',
  /** Health messages again after a disconnection. */
  'reconnected',
  /** The sensor's clock is off from the console's by more than the allowed skew. */
  'clock-skew',
] as const;

export type SensorEvent = (typeof SENSOR_EVENTS)[number];
export type SensorEventKind = `sensor.${SensorEvent}`;

export const SENSOR_EVENT_KINDS: readonly SensorEventKind[] = SENSOR_EVENTS.map(
  (e) => `sensor.${e}` as const,
);
