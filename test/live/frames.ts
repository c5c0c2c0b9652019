/**
 * What a test needs to know about a captured frame, read with the engine's Decoder when the layer
 * dissectors (shared/decode/layers) load, else with a minimal Ethernet/ARP/IPv4/UDP parser here.
 */
import { Decoder } from '../../shared/decode/decoder';
import type { Layer } from '../../shared/decode/layer';
import { ipv4ToString, macToString } from '../../shared/util/addr';

export interface Seen {
  iface: number;
  linkType: number;
  tsMs: number;
  wireLen: number;
  capLen: number;
  srcMac: string;
  dstMac: string;
  etherType: number;
  /** IPv4 source/destination, or ARP sender/target protocol addresses; '' when neither. */
  src: string;
  dst: string;
  ipProto: number;
  dstPort: number;
  payload: string;
}

/** Loaded at run time so this file compiles whether or not the layers exist yet. */
export async function makeReader(): Promise<{
  via: string;
  read: (b: Buffer, lt: number, ts: number, wl: number, i: number) => Seen;
}> {
  let layers: readonly Layer[] | undefined;
  try {
    const path = '../../shared/decode/layers/index';
    layers = ((await import(path)) as { LAYERS?: readonly Layer[] }).LAYERS;
  } catch {
    layers = undefined;
  }
  if (layers === undefined) return { via: 'minimal parser', read: minimal };
  const d = new Decoder(layers);
  let n = 0;
  return {
    via: 'Decoder(LAYERS)',
    read(b, lt, ts, wl, i) {
      const p = d.decode(b, lt, ts, ++n, wl, i);
      const arp = p.arpOp >= 0;
      return {
        iface: p.iface,
        linkType: p.linkType,
        tsMs: p.ts,
        wireLen: p.wireLen,
        capLen: p.capLen,
        srcMac: p.srcMac < 0 ? '' : macToString(p.srcMac),
        dstMac: p.dstMac < 0 ? '' : macToString(p.dstMac),
        etherType: p.etherType,
        src: arp ? ipv4ToString(p.arpSpa) : p.ipVersion === 4 ? ipv4ToString(p.src4) : '',
        dst: arp ? ipv4ToString(p.arpTpa) : p.ipVersion === 4 ? ipv4ToString(p.dst4) : '',
        ipProto: p.ipProto,
        dstPort: p.dstPort,
        payload:
          p.payloadEnd > p.payloadStart
            ? Buffer.from(b.subarray(p.payloadStart, p.payloadEnd)).toString('latin1')
            : '',
      };
    },
  };
}

const hex = (b: Buffer, o: number) =>
  [...b.subarray(o, o + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
const dotted = (b: Buffer, o: number) => (b.length >= o + 4 ? [...b.subarray(o, o + 4)].join('.') : '');

function minimal(b: Buffer, lt: number, ts: number, wl: number, i: number): Seen {
  const s: Seen = {
    iface: i,
    linkType: lt,
    tsMs: ts,
    wireLen: wl,
    capLen: b.length,
    srcMac: b.length >= 14 ? hex(b, 6) : '',
    dstMac: b.length >= 14 ? hex(b, 0) : '',
    etherType: b.length >= 14 ? b.readUInt16BE(12) : -1,
    src: '',
    dst: '',
    ipProto: -1,
    dstPort: -1,
    payload: '',
  };
  if (s.etherType === 0x0806 && b.length >= 42) {
    s.src = dotted(b, 28);
    s.dst = dotted(b, 38);
  } else if (s.etherType === 0x0800 && b.length >= 34) {
    const ihl = (b[14]! & 0x0f) * 4;
    s.ipProto = b[23]!;
    s.src = dotted(b, 26);
    s.dst = dotted(b, 30);
    const l4 = 14 + ihl;
    if (s.ipProto === 17 && b.length >= l4 + 8) {
      s.dstPort = b.readUInt16BE(l4 + 2);
      s.payload = b.toString('latin1', l4 + 8);
    }
  }
  return s;
}
