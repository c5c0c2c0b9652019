/**
 * Follows WebSocket frame boundaries in the raw bytes a client sends (RFC 6455 section 5.2), so the
 * host learns each frame's announced payload length as soon as its header arrives: a frame that is
 * too large is refused before its payload is read, let alone parsed. Only headers are looked at;
 * payloads are skipped by count. The server negotiates no extensions, so the length on the wire is
 * the length of the message.
 */
export class FrameMeter {
  /** A header's bytes so far: 2, plus 2 or 8 of extended length, plus 4 of mask. */
  private readonly header = new Uint8Array(14);
  private have = 0;
  /** Payload bytes of the current frame still to pass. */
  private skip = 0;

  /**
   * Feeds bytes as they arrive; calls `onHeader` with each complete header's payload length.
   * Stops (and stays stopped) when `onHeader` returns false.
   */
  feed(chunk: Uint8Array, onHeader: (payloadLength: number) => boolean): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      this.header[this.have++] = chunk[i++]!;
      if (this.have < 2) continue;
      const len7 = this.header[1]! & 0x7f;
      const need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (this.header[1]! & 0x80 ? 4 : 0);
      if (this.have < need) continue;
      const h = this.header;
      const length =
        len7 === 126
          ? (h[2]! << 8) | h[3]!
          : len7 === 127
            ? // Above 2^53 the value is inexact, and over any limit anyway.
              (((h[2]! << 24) | (h[3]! << 16) | (h[4]! << 8) | h[5]!) >>> 0) * 2 ** 32 +
              (((h[6]! << 24) | (h[7]! << 16) | (h[8]! << 8) | h[9]!) >>> 0)
            : len7;
      this.have = 0;
      this.skip = length;
      if (!onHeader(length)) {
        this.skip = Infinity;
        return false;
      }
    }
    return true;
  }
}
