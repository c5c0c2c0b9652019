import { ecb, gcm } from '@noble/ciphers/aes.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { ByteWindow } from '../../decode/window';

/**
 * QUIC Initial packets: long-header parsing, the Initial keys any observer can derive from the
 * client's first Destination Connection ID (RFC 9001 section 5.2; QUIC v2: RFC 9369 section 3.3),
 * header protection removal and payload decryption. Everything read from the datagram is bounds
 * checked; a packet that does not decrypt is simply not ours to read.
 */

/** Per version: the initial salt, the HKDF label prefix, and the long-header type bits of Initial. */
export interface QuicVersion {
  salt: Uint8Array;
  labels: 'quic' | 'quicv2';
  /** Long-packet type numbers of Initial, 0-RTT, Handshake, Retry in this version. */
  initial: number;
  retry: number;
}

const V1: QuicVersion = {
  salt: hexToBytes('38762cf7f55934b34d179ae6a4c80cadccbb7f0a'),
  labels: 'quic',
  initial: 0,
  retry: 3,
};
const V2: QuicVersion = {
  salt: hexToBytes('0dede3def700a6db819381be6e269dcbf9bd2ed9'),
  labels: 'quicv2',
  initial: 1,
  retry: 0,
};
/** Drafts 29 to 32 (what Chrome and others shipped before RFC 9000): v1 packet layout, another salt. */
const DRAFT29: QuicVersion = {
  salt: hexToBytes('afbfec289993d24c9e9786f19c6111e04390a899'),
  labels: 'quic',
  initial: 0,
  retry: 3,
};

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;

export function quicVersion(v: number): QuicVersion | null {
  if (v === QUIC_V1) return V1;
  if (v === QUIC_V2) return V2;
  if (v >= 0xff00001d && v <= 0xff000020) return DRAFT29;
  return null;
}

/** HKDF-Expand-Label of TLS 1.3 (RFC 8446 section 7.1) with an empty context. */
export function expandLabel(secret: Uint8Array, label: string, length: number): Uint8Array {
  const l = utf8ToBytes('tls13 ' + label);
  const info = new Uint8Array(4 + l.length);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = l.length;
  info.set(l, 3);
  info[3 + l.length] = 0;
  return expand(sha256, secret, info, length);
}

export interface InitialKeys {
  key: Uint8Array;
  iv: Uint8Array;
  hp: Uint8Array;
}

function packetKeys(secret: Uint8Array, v: QuicVersion): InitialKeys {
  return {
    key: expandLabel(secret, v.labels + ' key', 16),
    iv: expandLabel(secret, v.labels + ' iv', 12),
    hp: expandLabel(secret, v.labels + ' hp', 16),
  };
}

/** The client's and the server's Initial keys for a connection whose client chose `dcid`. */
export function initialKeys(v: QuicVersion, dcid: Uint8Array): { client: InitialKeys; server: InitialKeys } {
  const initial = extract(sha256, dcid, v.salt);
  return {
    client: packetKeys(expandLabel(initial, 'client in', 32), v),
    server: packetKeys(expandLabel(initial, 'server in', 32), v),
  };
}

/** A QUIC variable-length integer at `o`: value and size, or size 0 when it does not fit. */
export interface Varint {
  value: number;
  size: number;
}

export function readVarint(w: ByteWindow, o: number, out: Varint): Varint {
  out.value = 0;
  out.size = 0;
  if (!w.has(o, 1)) return out;
  const first = w.u8(o);
  const size = 1 << (first >> 6);
  if (!w.has(o, size)) return out;
  // Values above 2^53 cannot be exact in a number; no length or offset we accept comes near that.
  let v = first & 0x3f;
  for (let i = 1; i < size; i++) v = v * 256 + w.u8(o + i);
  out.value = v;
  out.size = size;
  return out;
}

/** A long-header packet, as offsets into the datagram window. */
export interface LongHeader {
  version: number;
  /** Version-independent type: 0 Initial, 1 0-RTT, 2 Handshake, 3 Retry. */
  type: number;
  dcidAt: number;
  dcidLen: number;
  scidLen: number;
  /** Offset of the (protected) packet number. */
  pnAt: number;
  /** End of this packet (coalesced packets follow). */
  end: number;
}

const vi: Varint = { value: 0, size: 0 };

/**
 * Parse the long header of the packet starting at `at`. Null when it is not a well-formed long
 * header of a version we decrypt (a version negotiation packet, a short header, a lying length).
 */
export function readLongHeader(w: ByteWindow, at: number, out: LongHeader): LongHeader | null {
  if (!w.has(at, 7)) return null;
  const b0 = w.u8(at);
  if ((b0 & 0x80) === 0) return null;
  const version = w.u32(at + 1);
  const v = quicVersion(version);
  if (v === null) return null;
  const dcidLen = w.u8(at + 5);
  if (dcidLen > 20 || !w.has(at + 6, dcidLen + 1)) return null;
  const scidLen = w.u8(at + 6 + dcidLen);
  if (scidLen > 20) return null;
  let o = at + 7 + dcidLen + scidLen;
  const bits = (b0 >> 4) & 3;
  // Map the version's type bits onto v1's numbering (RFC 9369 section 3.2 rotates them by one).
  const type = v === V2 ? (bits + 3) & 3 : bits;
  out.version = version;
  out.type = type;
  out.dcidAt = at + 6;
  out.dcidLen = dcidLen;
  out.scidLen = scidLen;
  if (type === 3) {
    // Retry: no length, takes the rest of the datagram.
    out.pnAt = o;
    out.end = w.length;
    return w.has(at, o - at) ? out : null;
  }
  if (type === 0) {
    readVarint(w, o, vi);
    if (vi.size === 0 || !w.has(o + vi.size, vi.value)) return null;
    o += vi.size + vi.value;
  }
  readVarint(w, o, vi);
  if (vi.size === 0) return null;
  o += vi.size;
  // The length covers packet number and payload; a packet longer than the datagram lies.
  if (!w.has(o, vi.value)) return null;
  out.pnAt = o;
  out.end = o + vi.value;
  return out;
}

/**
 * The header protection mask: AES-128-ECB of the 16-byte sample. A cipher object per call: noble
 * wipes its expanded key after each use, so one cannot be kept.
 */
export function hpMask(hp: Uint8Array, sample: Uint8Array): Uint8Array {
  return ecb(hp, { disablePadding: true }).encrypt(sample);
}

/**
 * Remove header protection and decrypt the payload of the packet at `at` (header `h`). Returns the
 * plaintext frames with the full packet number, or null: too short for the sample, or the AEAD tag
 * failed (wrong keys, another connection, a damaged packet: nothing learned, nothing wrong).
 */
export function openPacket(
  w: ByteWindow,
  at: number,
  h: LongHeader,
  keys: InitialKeys,
  largestPn: number,
): { pn: number; payload: Uint8Array } | null {
  // The sample starts 4 bytes after the packet number's start, as if it were 4 bytes long.
  if (h.end - h.pnAt < 4 + 16) return null;
  let mask: Uint8Array;
  try {
    mask = hpMask(keys.hp, w.bytes(h.pnAt + 4, 16).slice());
  } catch {
    return null;
  }
  const first = w.u8(at) ^ (mask[0]! & 0x0f);
  const pnLen = (first & 3) + 1;
  const headerLen = h.pnAt - at + pnLen;
  const header = w.bytes(at, headerLen).slice();
  header[0] = first;
  let truncated = 0;
  for (let i = 0; i < pnLen; i++) {
    const b = header[headerLen - pnLen + i]! ^ mask[1 + i]!;
    header[headerLen - pnLen + i] = b;
    truncated = truncated * 256 + b;
  }
  const pn = decodePacketNumber(largestPn, truncated, pnLen * 8);
  const nonce = keys.iv.slice();
  let x = pn;
  for (let i = 11; i >= 4 && x > 0; i--) {
    nonce[i]! ^= x % 256;
    x = Math.floor(x / 256);
  }
  const sealed = w.bytes(h.pnAt + pnLen, h.end - h.pnAt - pnLen);
  if (sealed.length < 16) return null;
  try {
    return { pn, payload: gcm(keys.key, nonce, header).decrypt(sealed) };
  } catch {
    return null;
  }
}

/** RFC 9000 appendix A.3: the packet number closest to the next expected one. */
export function decodePacketNumber(largest: number, truncated: number, bits: number): number {
  const expected = largest + 1;
  const win = 2 ** bits;
  const half = win / 2;
  const candidate = Math.floor(expected / win) * win + truncated;
  if (candidate <= expected - half && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + half && candidate >= win) return candidate - win;
  return candidate;
}
