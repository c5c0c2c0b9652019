/** A classic little-endian pcap file (microsecond timestamps) of Ethernet frames. */
export interface PcapRecord {
  /** Microseconds since the epoch. */
  tsUs: number;
  data: Uint8Array;
}

const LINKTYPE_ETHERNET = 1;

export function pcapFile(records: readonly PcapRecord[]): Buffer {
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(65535, 16);
  hdr.writeUInt32LE(LINKTYPE_ETHERNET, 20);
  const parts: Buffer[] = [hdr];
  for (const r of records) {
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(Math.floor(r.tsUs / 1e6), 0);
    rh.writeUInt32LE(r.tsUs % 1e6, 4);
    rh.writeUInt32LE(r.data.length, 8);
    rh.writeUInt32LE(r.data.length, 12);
    parts.push(rh, Buffer.from(r.data.buffer, r.data.byteOffset, r.data.length));
  }
  return Buffer.concat(parts);
}
