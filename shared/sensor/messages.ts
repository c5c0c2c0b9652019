/**
 * What a sensor publishes (JSON, one message per NATS message). Every message names its sensor and
 * run, so a console can tell sensors apart and a sensor's restarts apart; the Nats-Msg-Id is
 * `<sensor>.<run>.<kind>.<n>`, the same for the same message sent again (a replay, a resend after a
 * lost ack), so the stream's duplicate window stores it once.
 */
import type { AlertJson } from '../model/alert';
import type { PartialInventory } from '../inventory/partial-types';

export const SENSOR_MESSAGE_VERSION = 1;

interface Envelope {
  v: typeof SENSOR_MESSAGE_VERSION;
  site: string;
  sensor: string;
  /** The run: the same for a replay of the same captures, new for each live start. */
  run: string;
  /** This message's number among the run's messages of its kind, from 1. */
  n: number;
}

/** Devices and edges that changed, with their cumulative state for this run (so resending is harmless). */
export interface DeltaMessage extends Envelope {
  kind: 'delta';
  partial: PartialInventory;
}

export interface AlertMessage extends Envelope {
  kind: 'alert';
  alert: AlertJson;
}

/**
 * Every 10 s, and last before a sensor exits: what a Sensors view shows (health, version, last
 * contact from `clock`, drop rate) and what tells a console the sensor's clock is off.
 */
export interface HealthMessage extends Envelope {
  kind: 'health';
  version: string;
  mode: 'live' | 'read';
  /** The sensor's wall clock when it sent this (ISO 8601). */
  clock: string;
  startedAt: string;
  uptimeS: number;
  interfaces: string[];
  /** Frames received (live: from the capture helper) and analysed, since the run started. */
  packets: number;
  analysed: number;
  /** Frames the kernel or the helper's queue dropped, since the run started. */
  drops: number;
  /** Over the last health interval: frames per second and the fraction dropped (0..1). */
  packetRate: number;
  dropRate: number;
  devices: number;
  /** The outbox on disk: messages waiting for the broker, and those dropped because it was full. */
  queued: number;
  queuedBytes: number;
  bufferDropped: number;
  /** Set on the last health message of a run. */
  final?: boolean;
}

export type SensorMessage = DeltaMessage | AlertMessage | HealthMessage;

export function messageId(m: Pick<Envelope, 'sensor' | 'run' | 'n'> & { kind: string }): string {
  return `${m.sensor}.${m.run}.${m.kind}.${m.n}`;
}
