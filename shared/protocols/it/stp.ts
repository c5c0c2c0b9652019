import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { macToString } from '../../util/addr';
import { macRef, srcRef } from '../common/refs';
import { Emitter } from '../common/emit';

const em = new Emitter<typeof VOCABULARY>('stp');

/**
 * Spanning tree BPDUs (802.1D STP, 802.1w RSTP, 802.1s MSTP; LLC DSAP 0x42, and Cisco PVST+ over
 * SNAP 00-00-0c/0x010b): the sender is a bridge; the root bridge id names the tree's root.
 */
function bridgeId(w: ByteWindow, o: number): { prio: number; mac: number; text: string } {
  const prio = w.u16(o);
  const mac = w.u48(o + 2);
  return { prio, mac, text: prio + '/' + macToString(mac < 0 ? 0 : mac) };
}

export function dissectStp(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  if (w.length < 4 || w.u16(0) !== 0) return false;
  const version = w.u8(2);
  const type = w.u8(3);
  if (version > 4) return false;
  const me = srcRef(p);
  const proto = version === 0 ? 'stp' : version === 2 ? 'rstp' : version === 3 ? 'mstp' : 'stp';
  em.role(ctx, p, { device: me, field: 'bpdu', role: 'bridge', peer: null });
  em.attribute(ctx, p, { device: me, field: 'version', key: 'stp-protocol', value: proto });
  if (type === 0x80) return true; // topology change notification: no ids
  if (w.length < 35) return true;
  const root = bridgeId(w, 5);
  const bridge = bridgeId(w, 17);
  em.attribute(ctx, p, { device: me, field: 'bridgeId', key: 'stp-bridge-id', value: bridge.text });
  em.attribute(ctx, p, { device: me, field: 'rootId', key: 'stp-root-id', value: root.text });
  if (root.mac > 0) {
    em.role(ctx, p, { device: macRef(root.mac), field: 'rootId', role: 'stp-root-bridge', peer: null });
  }
  if (bridge.mac > 0 && bridge.mac !== p.srcMac) {
    em.neighbor(ctx, p, {
      device: me,
      field: 'bridgeId',
      chassisId: macToString(bridge.mac),
      portId: String(w.u16(25) & 0x0fff),
      portDescription: null,
      vlan: null,
    });
  }
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['bpdu', 'bridgeId', 'rootId', 'version'],
  keys: {
    attribute: ['stp-bridge-id', 'stp-protocol', 'stp-root-id'],
    role: ['bridge', 'stp-root-bridge'],
  },
} as const satisfies Vocabulary;

export const stp: AppProtocol = {
  name: 'stp',
  group: 'it',
  emits: { stp: VOCABULARY },
  llcSaps: [0x42],
  snap: [0x00000c * 65536 + 0x010b],
  dissect: dissectStp,
};
