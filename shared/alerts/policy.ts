import type { EventFacts, Observation } from '../model/observation';
import type { EventKind } from '../protocols/ot/events';
import type { SensorEventKind } from '../sensor/events';
import { clip } from '../model/observation';
import type { Severity } from './severity';

/** How one event kind is alerted: its severity, and its wording with `{fact}` placeholders. */
export interface EventPolicy {
  /** Events at medium or above raise an alert (after the learning period); info and low are evidence only. */
  severity: Severity;
  /** Plain text (never HTML): `{name}` is replaced by the event's fact of that name. */
  text: string;
}

export type AlertPolicy = Readonly<Record<string, EventPolicy>>;

const COUNTED_DNP3 = '{count} {function} request(s) so far, to address {address}';
const DNP3 = '{function} to address {address}';
const PI = 'PI service {service}';
const UMAS = 'UMAS {subfunction}';

/**
 * The default policy: one entry per event kind any dissector declares (a kind without an entry, or an
 * entry for no kind, fails to compile). A typed table rather than a file: shared/ reads no files, and
 * the compiler holds it to the dissectors' declarations. Severities are those the dissectors chose
 * before events and policy were parted, so the alerts did not change.
 */
export const DEFAULT_POLICY = {
  'bacnet.bacnet-write': { severity: 'low', text: '{count} write request(s) so far' },
  'bacnet.device-restart': { severity: 'high', text: 'ReinitializeDevice' },
  'bacnet.communication-control': { severity: 'high', text: 'DeviceCommunicationControl' },
  'bacnet.file-write': { severity: 'medium', text: 'AtomicWriteFile' },

  'dnp3.dnp3-write': { severity: 'low', text: COUNTED_DNP3 },
  'dnp3.dnp3-select': { severity: 'medium', text: COUNTED_DNP3 },
  'dnp3.dnp3-operate': { severity: 'medium', text: COUNTED_DNP3 },
  'dnp3.dnp3-direct-operate': { severity: 'medium', text: COUNTED_DNP3 },
  'dnp3.device-restart': { severity: 'high', text: DNP3 },
  'dnp3.application-initialize': { severity: 'high', text: DNP3 },
  'dnp3.application-start': { severity: 'high', text: DNP3 },
  'dnp3.application-stop': { severity: 'high', text: DNP3 },
  'dnp3.unsolicited-disabled': { severity: 'medium', text: DNP3 },
  'dnp3.file-open': { severity: 'medium', text: DNP3 },
  'dnp3.file-delete': { severity: 'high', text: DNP3 },

  'enip.cip-connection-open': { severity: 'info', text: 'Forward_Open {connection}' },
  'enip.device-reset': { severity: 'high', text: 'CIP Reset (type {type}) on {path}' },
  'enip.controller-stop': { severity: 'high', text: 'CIP Stop on {path}' },
  'enip.controller-start': { severity: 'high', text: 'CIP Start on {path}' },
  'enip.firmware-update': { severity: 'high', text: 'CIP firmware update service {service} on {path}' },
  'enip.ip-settings-change': { severity: 'high', text: 'CIP Set on {path}' },
  'enip.link-settings-change': { severity: 'medium', text: 'CIP Set on {path}' },
  'enip.identity-change': { severity: 'medium', text: 'CIP Set on {path}' },
  'enip.cip-write': { severity: 'low', text: '{count} CIP set-attribute request(s), latest on {path}' },

  'fins.plc-start': { severity: 'high', text: 'FINS RUN' },
  'fins.plc-stop': { severity: 'high', text: 'FINS STOP' },
  'fins.program-download': { severity: 'high', text: 'FINS program area write' },
  'fins.program-clear': { severity: 'high', text: 'FINS program area clear' },
  'fins.file-write': { severity: 'high', text: 'FINS file write' },

  'iec104.iec104-command': {
    severity: 'medium',
    text: '{count} command(s) so far (latest type {type}, cause {cause}, CA {ca})',
  },
  'iec104.device-restart': { severity: 'high', text: 'C_RP_NA_1 reset process (CA {ca})' },
  'iec104.clock-sync': { severity: 'info', text: 'C_CS_NA_1 clock synchronisation (CA {ca})' },

  'modbus.modbus-exception': { severity: 'info', text: 'function {function} exception code {code}' },
  'modbus.modbus-write': {
    severity: 'low',
    text: '{count} write request(s) so far (latest function {function}, unit {unit})',
  },
  'modbus.device-restart': {
    severity: 'high',
    text: 'Diagnostics: restart communications option (unit {unit})',
  },
  'modbus.programming': { severity: 'medium', text: 'Schneider UMAS (function 90) engineering session' },
  'modbus.plc-reservation': { severity: 'high', text: UMAS },
  'modbus.program-download': { severity: 'high', text: UMAS },
  'modbus.program-upload': { severity: 'high', text: UMAS },
  'modbus.plc-start': { severity: 'high', text: UMAS },
  'modbus.plc-stop': { severity: 'high', text: UMAS },

  'pn_dcp.ip-settings-change': { severity: 'high', text: 'DCP Set IP {ip}/{netmask} gw {gateway}' },
  'pn_dcp.station-name-change': { severity: 'high', text: 'DCP Set NameOfStation "{name}"' },
  'pn_dcp.pn-dcp-signal': { severity: 'low', text: 'DCP Signal (flash LED)' },
  'pn_dcp.factory-reset': { severity: 'high', text: 'DCP reset to factory settings' },

  's7comm.s7-write': { severity: 'low', text: '{count} Write Var request(s) so far' },
  's7comm.program-download': { severity: 'high', text: 'Request download {file}' },
  's7comm.program-upload': { severity: 'medium', text: 'Start upload {file}' },
  's7comm.plc-start': { severity: 'high', text: PI },
  's7comm.block-insert': { severity: 'high', text: PI },
  's7comm.block-delete': { severity: 'high', text: PI },
  's7comm.plc-control': { severity: 'high', text: PI },
  's7comm.plc-stop': { severity: 'high', text: 'PLC stop' },
  's7comm.plc-mode-change': { severity: 'high', text: 'mode transition subfunction {subfunction}' },

  // The sensors themselves, as a sensors' console (serve --nats) sees them.
  'sensor.disconnected': {
    severity: 'high',
    text: 'sensor {sensor} at site {site} is silent: no health message since {lastContact} (more than {silence})',
  },
  'sensor.reconnected': {
    severity: 'medium',
    text: 'sensor {sensor} at site {site} is back after {silent} of silence',
  },
  'sensor.clock-skew': {
    severity: 'medium',
    text: "sensor {sensor} at site {site}: its clock is {offset} off the console's (more than {allowed}); its data may look missing or late",
  },
} as const satisfies Record<EventKind | SensorEventKind, EventPolicy>;

/** What a kind the policy does not name gets: no alert, no wording. */
const UNKNOWN: EventPolicy = { severity: 'info', text: '' };

export function policyOf(policy: AlertPolicy, protocol: string, event: string): EventPolicy {
  return policy[protocol + '.' + event] ?? UNKNOWN;
}

/** `text` with each `{name}` replaced by the fact of that name (one pass: facts are not re-read). */
export function fill(text: string, facts: EventFacts): string {
  return clip(
    text.replace(/\{([A-Za-z][A-Za-z0-9_-]*)\}/g, (whole, name: string) => {
      const v = Object.hasOwn(facts, name) ? facts[name] : undefined;
      return v === undefined ? whole : String(v);
    }),
  );
}

type EventObservation = Extract<Observation, { kind: 'event' }>;

/** An event in words, by `policy` (the default one for evidence and rules, a tuned one for alerts). */
export function eventText(o: EventObservation, policy: AlertPolicy = DEFAULT_POLICY): string {
  return fill(policyOf(policy, o.protocol, o.event).text, o.facts);
}
