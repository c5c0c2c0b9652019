import type { ByteWindow } from './window';
import type { Packet } from './packet';

/** What a layer dissector asks the pipeline to decode next. Dissectors never call each other. */
export const NEXT_DONE = 0;
export const NEXT_LINKTYPE = 1;
export const NEXT_ETHERTYPE = 2;
export const NEXT_IPPROTO = 3;
/** UDP payload: key = destination port, key2 = source port (tunnels such as VXLAN, then app protocols). */
export const NEXT_UDP = 4;
/** TCP payload: key = destination port, key2 = source port. */
export const NEXT_TCP = 5;
/** 802.2 LLC payload: key = DSAP. */
export const NEXT_LLC = 6;
/** SNAP payload: key = OUI * 65536 + protocol id. */
export const NEXT_SNAP = 7;

export class NextLayer {
  kind = NEXT_DONE;
  key = 0;
  key2 = -1;
  /** Where the next layer starts, relative to the current window. */
  offset = 0;
  /** Its length, or -1 for "to the end of the current window". */
  length = -1;

  set(kind: number, key: number, offset: number, length = -1, key2 = -1): void {
    this.kind = kind;
    this.key = key;
    this.key2 = key2;
    this.offset = offset;
    this.length = length;
  }
}

/**
 * A layer 2-4 dissector: reads its window, fills the Packet, and says what comes next. It must not
 * throw and must read only through the window (which bounds every read).
 */
export interface Layer {
  name: string;
  linkTypes?: readonly number[];
  etherTypes?: readonly number[];
  ipProtocols?: readonly number[];
  /** UDP ports that carry a tunnel (VXLAN, Teredo, GTP-U, ...): matched on destination, then source port. */
  udpPorts?: readonly number[];
  llcSaps?: readonly number[];
  snap?: readonly number[];
  dissect(w: ByteWindow, p: Packet, next: NextLayer): void;
}
