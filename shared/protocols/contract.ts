import type { ByteWindow } from '../decode/window';
import type { Packet } from '../decode/packet';
import type { Observation, ObservationKind } from '../model/observation';

/**
 * What an application-layer (or layer-2 discovery) dissector gets: the packet's decoded lower layers,
 * a sink for observations, and bounded per-flow and per-pair state. Everything here is pure TypeScript.
 */
export interface AppContext {
  emit(o: Observation): void;
  /**
   * Per-flow state for this protocol, created on first use and dropped when the flow ages out or
   * the table is full (oldest first). Keep what you store small and bounded.
   */
  flowState<T extends object>(p: Packet, protocol: string, init: () => T): T;
  /**
   * Per-pair state for this protocol: one master and one device, by their addresses, across every
   * connection between them (a master that connects, reads and closes each time) and whatever the
   * ports. `master` says which end of this packet is the master (the sender of a request: 'src'; of
   * an answer: 'dst'), so both directions share the state and a device that also polls its master
   * has a pair of its own. Created on first use; kept when a flow ages out or is finished (learn
   * once); bounded (a pair long unused is dropped when the table is full). Keep what you
   * store small and bounded.
   */
  pairState<T extends object>(p: Packet, protocol: string, master: 'src' | 'dst', init: () => T): T;
  /**
   * Learn once per flow (as nDPI stops inspecting a classified flow): the dissector being called has
   * nothing left to learn from this packet's flow, so the engine stops handing it the flow's payloads
   * and drops its state for the flow. Those payloads still count as this protocol (the packet's
   * protocol list, edges, devices and counters see every packet). Call it only where dissect would
   * accept every later payload of the flow (return true) and state nothing more from it.
   */
  finished(p: Packet): void;
  /**
   * Whether the engine learns once per flow. Off (a bare decoder, whose tests compare each frame
   * with tshark), finished() changes nothing and a dissector must not stop reading a direction early
   * of its own accord either.
   */
  readonly learnsOnce: boolean;
}

/** Which side of the network a protocol belongs to: IT and IoT identity, or the plant (OT / ICS). */
export type ProtocolGroup = 'it' | 'ot';

/**
 * What the observations carrying one protocol name can say: the fields they come from and, per
 * observation kind, the keys they carry (identity attribute, attribute key, role, fingerprint scheme,
 * service name, event, finding). A name ending in `*` stands for any rest (`txt.*`: mDNS TXT keys are
 * the device's own); a kind left out carries no key a rule could name (host names, software).
 * `glasspane rules check` holds rules to these names, and a test holds dissectors to them.
 */
export interface Vocabulary {
  fields: readonly string[];
  keys?: { readonly [K in ObservationKind]?: readonly string[] };
}

export interface AppProtocol {
  /** Short lower-case name, also the name recorded in a device's protocol list. */
  name: string;
  group: ProtocolGroup;
  /**
   * The observations it emits, by the protocol name they carry: its own name, its parts', or another
   * (NetBIOS datagrams carry `browser` announcements).
   */
  emits: Readonly<Record<string, Vocabulary>>;
  /**
   * Other protocol names its observations carry, for parts with facts of their own (PROFINET's DCP
   * and RT frames: `pn_dcp`, `pn_rt`). A device's protocol list names the protocol itself, once.
   */
  parts?: readonly string[];
  tcpPorts?: readonly number[];
  udpPorts?: readonly number[];
  /** Layer-2 protocols: the window is the payload after the EtherType. */
  etherTypes?: readonly number[];
  /** 802.2 LLC DSAPs (0x42 for STP); the window starts after the LLC header. */
  llcSaps?: readonly number[];
  /** SNAP OUI * 65536 + PID (CDP is 0x00000c * 65536 + 0x2000); the window starts after SNAP. */
  snap?: readonly number[];
  /**
   * Cheap shape check for payloads on ports the protocol is not registered for. Must not throw,
   * must not emit. A flow it recognises is pinned to the protocol.
   */
  heuristic?(w: ByteWindow, p: Packet): boolean;
  /**
   * Whether every packet must be dissected. Datagram and layer-2 announcements (mDNS, SSDP, STP,
   * LLDP, ...) repeat verbatim all day; by default an identical payload from the same source within
   * a minute is dissected once (it would only repeat the same observations). Set true where each
   * repetition matters (counted writes or events on UDP). TCP payloads are always dissected.
   */
  everyPacket?: boolean;
  /**
   * Decode and emit observations. Return false when the payload is not this protocol after all
   * (headers did not validate): the pipeline then counts it as unrecognised, not malformed.
   */
  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean;
}
