/**
 * Observations: typed facts that dissectors hear on the wire. They say what was seen, where, and
 * when; they do not decide what a device is (classification weighs them later). Every member carries
 * the device it is about, the protocol and field it came from, the frame number and time.
 *
 * Kinds are generic on purpose (a host name is a host name whether DHCP or mDNS said it), so that
 * rules can match on kind + protocol + field without knowing every dissector.
 */

/** The device a fact is about: its MAC where the frame shows it, else its IP. Lower-case, canonical. */
export interface DeviceRef {
  mac: string | null;
  ip: string | null;
}

export interface ObservationBase {
  device: DeviceRef;
  /** Protocol short name, lower case: 'dhcp', 'mdns', 'lldp', 'enip', 's7comm', ... */
  protocol: string;
  /** The field that carried the value, in the protocol's own terms: 'option12', 'sysDescr', 'ListIdentity.productName'. */
  field: string;
  frame: number;
  /** Milliseconds since the epoch. */
  ts: number;
}

/**
 * Identity attributes a device states about itself (vendor, model, firmware, serial, ...). A list,
 * so what checks input from the network (partial inventories from sensors) accepts exactly these.
 * `device-type-id` is a device type's code where the protocol has one (CIP device profile), beside
 * its name.
 */
export const IDENTITY_ATTRIBUTES = [
  'vendor',
  'vendor-id',
  'product',
  'product-code',
  'model',
  'hardware',
  'firmware',
  'software',
  'serial',
  'os',
  'os-version',
  'device-type',
  'device-type-id',
  'description',
  'location',
  'contact',
  'station-name',
  'instance',
  'uuid',
  'mud-url',
  'domain',
  'workgroup',
  'asset-id',
  'state',
] as const;

export type IdentityAttribute = (typeof IDENTITY_ATTRIBUTES)[number];

export type Observation =
  /** A name the device uses for itself (DHCP 12/81, mDNS A record owner, NetBIOS, LLDP sysName, ...). */
  | (ObservationBase & { kind: 'hostname'; name: string })
  /** A name the device asked about: kept apart from its own names. */
  | (ObservationBase & { kind: 'name-query'; name: string })
  /** A name-to-address binding from an answer (DNS, mDNS, LLMNR, NBNS), about `device` = the owner where known. */
  | (ObservationBase & { kind: 'address'; ip: string; name: string | null })
  /** An identity attribute stated by the device itself. */
  | (ObservationBase & { kind: 'identity'; attr: IdentityAttribute; value: string })
  /** Software heard from the device: a banner, a User-Agent, a Server header. */
  | (ObservationBase & { kind: 'software'; product: string; version: string | null; raw: string })
  /** A fingerprint string in a named scheme ('dhcp', 'dhcpv6', 'ja3', 'ja4', 'ja3s', 'tcp-syn', 'hassh', ...). */
  | (ObservationBase & { kind: 'fingerprint'; scheme: string; value: string })
  /** A role the device plays, optionally towards a peer ('dhcp-server', 'modbus-client', 's7-programmer', ...). */
  | (ObservationBase & { kind: 'role'; role: string; peer: DeviceRef | null })
  /** A service the device offers. */
  | (ObservationBase & { kind: 'service'; transport: 'tcp' | 'udp' | 'l2'; port: number; name: string })
  /** Any other key/value the device announced (mDNS TXT pairs, DHCP options, capabilities, ...). */
  | (ObservationBase & { kind: 'attribute'; key: string; value: string })
  /** A link-layer neighbour relation (LLDP, CDP, STP): who is attached to which port of whom. */
  | (ObservationBase & {
      kind: 'neighbor';
      chassisId: string;
      portId: string | null;
      portDescription: string | null;
      vlan: number | null;
    })
  /** Something happened: a PLC stop, a firmware download, a configuration write, a restart. */
  | (ObservationBase & {
      kind: 'event';
      /** What happened, one of the dissector's declared EVENTS (the alert kind is `protocol.event`). */
      event: string;
      /** What the packet says about it; severity and wording are the alert policy's (shared/alerts/policy.ts). */
      facts: EventFacts;
      peer: DeviceRef | null;
    })
  /** A security-relevant finding (a clear-text SNMP community, an MQTT password in clear, ...). */
  | (ObservationBase & { kind: 'finding'; finding: string; detail: string });

export type ObservationKind = Observation['kind'];

/** An event's facts: named values from the packet (addresses, counts, names from the wire), never prose. */
export type EventFacts = Readonly<Record<string, string | number>>;

/** Wire strings are bounded before they are kept. */
export const MAX_VALUE_LENGTH = 512;

export function clip(s: string, max = MAX_VALUE_LENGTH): string {
  return s.length > max ? s.slice(0, max) : s;
}
