/**
 * Base64 (RFC 4648 section 4) to bytes, for tokens carried in text protocols (HTTP and SMTP/IMAP/POP
 * NTLM and Negotiate). Tolerant of what a capture gives: decoding stops at the first byte outside the
 * alphabet (padding, a line cut short), and at most `max` bytes are made however long the text.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

export function base64Bytes(s: string, max: number): Uint8Array {
  const n = Math.min(s.length, Math.ceil((max * 4) / 3) + 4);
  const out = new Uint8Array(Math.min(max, Math.floor((n * 3) / 4)));
  let acc = 0;
  let bits = 0;
  let len = 0;
  for (let i = 0; i < n && len < out.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? VALUE[c]! : -1;
    if (v < 0) break;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[len++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, len);
}
