import type { ByteWindow } from '../window';
import type { Packet } from '../packet';
import { type NextLayer, NEXT_ETHERTYPE, NEXT_LLC, NEXT_SNAP } from '../layer';

/** SNAP OUIs whose protocol id is an EtherType: RFC 1042 (00-00-00) and 802.1H bridge tunnel (00-00-f8). */
const OUI_RFC1042 = 0x000000;
const OUI_BRIDGE_TUNNEL = 0x0000f8;

/**
 * An IEEE 802.2 LLC header at `o` of `w`, `len` bytes long (the 802.3 length, or what remains of the
 * frame). SNAP (DSAP = SSAP = 0xAA, UI) carries an OUI and protocol id; any other SAP goes to the LLC
 * table keyed by DSAP with the individual/group bit cleared. Shared by Ethernet, VLAN and Linux cooked
 * captures, which all reach LLC through a length (not an EtherType).
 */
export function dissectLlc(w: ByteWindow, o: number, len: number, p: Packet, next: NextLayer): void {
  if (len < 3 || !w.has(o, 3)) {
    p.markMalformed('llc: truncated');
    return;
  }
  p.addProto('llc');
  const dsap = w.u8(o);
  const ssap = w.u8(o + 1);
  const control = w.u8(o + 2);
  // U-format frames (low bits 11) have a one-byte control field; I and S formats have two.
  const hl = (control & 0x03) === 0x03 ? 3 : 4;
  if (dsap === 0xaa && (ssap & 0xfe) === 0xaa && control === 0x03) {
    if (len < 8 || !w.has(o, 8)) {
      p.markMalformed('llc: truncated SNAP header');
      return;
    }
    p.addProto('snap');
    const oui = w.u24(o + 3);
    const pid = w.u16(o + 6);
    if (oui === OUI_RFC1042 || oui === OUI_BRIDGE_TUNNEL) {
      p.etherType = pid;
      next.set(NEXT_ETHERTYPE, pid, o + 8, len - 8);
    } else {
      next.set(NEXT_SNAP, oui * 65536 + pid, o + 8, len - 8);
    }
    return;
  }
  if (len < hl || !w.has(o, hl)) {
    p.markMalformed('llc: truncated');
    return;
  }
  next.set(NEXT_LLC, dsap & 0xfe, o + hl, len - hl);
}

/**
 * The Ethernet type/length field `v`, read at `o - 2` of `w`, with the frame's payload starting at `o`.
 * At least 0x600 is an EtherType; up to 1500 is an 802.3 length, bounding the payload (so padding
 * never becomes data), followed by LLC, or by raw IPX (Novell's pre-LLC framing, checksum 0xFFFF),
 * which is not decoded. Returns false for the undefined values in between.
 */
export function dissectTypeOrLength(
  w: ByteWindow,
  o: number,
  v: number,
  p: Packet,
  next: NextLayer,
): boolean {
  if (v >= 0x600) {
    p.etherType = v;
    next.set(NEXT_ETHERTYPE, v, o);
    return true;
  }
  if (v > 1500) return false;
  let len = v;
  const avail = w.length - o;
  if (len > avail) {
    p.markMalformed('llc: 802.3 length exceeds frame');
    len = avail < 0 ? 0 : avail;
  }
  if (len >= 2 && w.u16(o) === 0xffff) return true;
  dissectLlc(w, o, len, p, next);
  return true;
}
