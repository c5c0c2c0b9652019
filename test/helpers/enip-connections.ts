/**
 * A crafted EtherNet/IP plant for the electronic-key tests: a scanner (a controller by its own
 * Identity) opens connections to adapters that never answer Identity, each Forward_Open saying what
 * its target is in another way. Our own frames, written by our own helpers.
 */
import { concat, tcpFrame, udpFrame, u16le, type Bytes } from './packets';
import {
  assemblyPoints,
  ekeySegment,
  encapsulation,
  enipListIdentityReply,
  forwardOpen,
  registerSession,
  sendRRData,
  symbolSegment,
} from './ot-frames';
import type { Rec } from './pcap-writer';

type End = { mac: string; ip: string; port: number };
const dev = (n: number, port = 44818): End => ({
  mac: `02:00:00:00:0e:${n.toString(16).padStart(2, '0')}`,
  ip: `10.3.0.${n}`,
  port,
});

export const SCANNER = dev(1, 0);
export const HMI = dev(2, 0);
/** (a) an AC drive by its key (device type 2, product code and revision), reached over the backplane port. */
export const DRIVE = dev(11);
/** (b) discrete I/O by its key (device type 7) with a vendor id. */
export const DISCRETE_IO = dev(12);
/** (c) a wildcard (all-zero) key, assembly connection points: an adapter by its traffic alone. */
export const WILDCARD = dev(13);
/** (d) a controller producing a tag to the scanner (symbolic connection path). */
export const PRODUCER = dev(14);
/** (e) a key saying drive, but the target's own Identity says PLC (device type 14). */
export const SELF_STATED = dev(15);
/** A path routed on (port 2, an IP address) to another device: the receiver is not the target. */
export const BRIDGE = dev(16);
/** Truncated and garbage Forward_Open paths. */
export const GARBAGE = dev(17);

/** The path bytes of each target's class-1 Forward_Open. */
export const PATHS = {
  drive: concat(
    [0x01, 0x00],
    ekeySegment({ deviceType: 2, productCode: 0x0203, major: 3, minor: 1, compatible: true }),
    assemblyPoints(0x97, 0x96, 0x64),
  ),
  io: concat(ekeySegment({ vendor: 1, deviceType: 7, productCode: 0x2a }), assemblyPoints(1, 101, 100)),
  wildcard: concat(ekeySegment({}), assemblyPoints(1, 150, 100)),
  tag: symbolSegment('Line1_Status'),
  selfStated: concat(ekeySegment({ vendor: 1, deviceType: 2 }), assemblyPoints(1, 150, 100)),
  routed: concat(
    [0x12, 9],
    Uint8Array.from(Buffer.from('10.3.0.99', 'latin1')),
    [0],
    ekeySegment({ vendor: 1, deviceType: 2 }),
    assemblyPoints(1, 150, 100),
  ),
} as const;

/** The Ethernet frames of the plant, in order, one record each (ms apart). */
export function ekeyPlant(): Rec[] {
  const recs: Rec[] = [];
  let at = 1_700_000_000_000;
  const put = (data: Bytes) => recs.push({ data, ts: at++ });
  const port = (n: number) => ({ ...SCANNER, port: 41000 + n });

  // The scanner's and one target's own Identity, answering an HMI's ListIdentity over UDP.
  const listIdentity = encapsulation(0x63, 0, new Uint8Array(0));
  for (const [target, name, vendor] of [
    [SCANNER, '1756-L81E/B', 1],
    [SELF_STATED, 'Line 2 Controller', 1],
  ] as const) {
    put(udpFrame({ ...HMI, port: 42222 }, { ...target, port: 44818 }, listIdentity));
    put(udpFrame({ ...target, port: 44818 }, { ...HMI, port: 42222 }, enipListIdentityReply(name, vendor)));
  }

  const open = (n: number, target: End, fo: Bytes) => {
    const cl = port(n);
    put(tcpFrame(cl, target, registerSession()));
    put(tcpFrame(target, cl, registerSession(0x100 + n)));
    put(tcpFrame(cl, target, sendRRData(0x100 + n, fo, n)));
  };
  open(1, DRIVE, forwardOpen({ transport: 0x01, path: PATHS.drive, serial: 1 }));
  open(2, DISCRETE_IO, forwardOpen({ transport: 0x01, path: PATHS.io, serial: 2, large: true }));
  open(3, WILDCARD, forwardOpen({ transport: 0x01, path: PATHS.wildcard, serial: 3 }));
  open(4, PRODUCER, forwardOpen({ transport: 0x01, path: PATHS.tag, serial: 4 }));
  open(5, SELF_STATED, forwardOpen({ transport: 0x01, path: PATHS.selfStated, serial: 5 }));
  open(6, BRIDGE, forwardOpen({ transport: 0x01, path: PATHS.routed, serial: 6 }));
  // A path that says 20 words where 4 are sent, then a key segment cut short inside its stated size.
  open(7, GARBAGE, forwardOpen({ transport: 0x01, path: PATHS.io.subarray(0, 8), pathWords: 20, serial: 7 }));
  const cl = port(7);
  put(
    tcpFrame(
      cl,
      GARBAGE,
      sendRRData(
        0x107,
        forwardOpen({ transport: 0x01, path: concat([0x34, 4], u16le(1), u16le(7)), serial: 8 }),
        8,
      ),
    ),
  );
  return recs;
}
