import { EVENTS as BACNET } from './bacnet';
import { EVENTS as DNP3 } from './dnp3';
import { EVENTS as ENIP } from './enip';
import { EVENTS as FINS } from './fins';
import { EVENTS as IEC104 } from './iec104';
import { EVENTS as MODBUS } from './modbus';
import { EVENTS as PN_DCP } from './pndcp';
import { EVENTS as S7COMM } from './s7comm';

/**
 * The events each OT dissector declares, by the protocol name its observations carry. A dissector
 * states what happened and its facts; the alert policy (shared/alerts/policy.ts) says how urgent it
 * is and how it reads, so tuning alerts touches no parser.
 */
export const OT_EVENTS = {
  bacnet: BACNET,
  dnp3: DNP3,
  enip: ENIP,
  fins: FINS,
  iec104: IEC104,
  modbus: MODBUS,
  pn_dcp: PN_DCP,
  s7comm: S7COMM,
} as const;

type Declared = typeof OT_EVENTS;

/** An event kind: `protocol.event`, e.g. `s7comm.program-download`. */
export type EventKind = {
  [P in keyof Declared]: `${P}.${Declared[P][number]}`;
}[keyof Declared];

/** Every event kind a dissector can emit. */
export const EVENT_KINDS: readonly EventKind[] = Object.entries(OT_EVENTS).flatMap(([protocol, events]) =>
  events.map((e: string) => `${protocol}.${e}` as EventKind),
);

/** The kind of an event observation (its protocol and event name). */
export function eventKind(protocol: string, event: string): string {
  return protocol + '.' + event;
}
