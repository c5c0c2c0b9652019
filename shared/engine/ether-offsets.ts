/**
 * Fixed offsets of an Ethernet frame, for the reader of a capture shared among workers, which looks
 * at every frame without decoding it (flow-shard.ts, router-watch.ts, udp-repeats.ts). Never throws.
 */

/**
 * Where the EtherType of the Ethernet frame `b[start, end)` is, past up to 4 VLAN tags (802.1Q,
 * 802.1ad and the older 0x9100, as the decoder's VLAN layer reads them); -1 when the frame is too
 * short. The payload starts 2 bytes on.
 */
export function etherTypeAt(b: Uint8Array, start: number, end: number): number {
  let o = start + 12;
  if (o + 2 > end) return -1;
  let type = (b[o]! << 8) | b[o + 1]!;
  for (let tags = 0; (type === 0x8100 || type === 0x88a8 || type === 0x9100) && tags < 4; tags++) {
    o += 4;
    if (o + 2 > end) return -1;
    type = (b[o]! << 8) | b[o + 1]!;
  }
  return o;
}

/** The 6 bytes at `at` as the decoder numbers a MAC (big-endian, 48 bits). */
export function mac48(b: Uint8Array, at: number): number {
  return (
    ((b[at]! << 8) | b[at + 1]!) * 0x100000000 +
    (((b[at + 2]! << 24) | (b[at + 3]! << 16) | (b[at + 4]! << 8) | b[at + 5]!) >>> 0)
  );
}
