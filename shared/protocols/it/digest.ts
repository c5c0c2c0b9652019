/**
 * Digests of fingerprint strings (JA3, JA4, HASSH), remembered: a host sends the same handshake
 * shape on every connection, and hashing in JavaScript was a third of the cost of a TLS handshake.
 * Bounded: the table is cleared when full.
 */
import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

const digests = new Map<string, string>();
const DIGESTS = 4096;

function remembered(kind: string, s: string, f: (s: string) => string): string {
  const key = kind + s;
  let d = digests.get(key);
  if (d === undefined) {
    d = f(s);
    if (digests.size >= DIGESTS) digests.clear();
    digests.set(key, d);
  }
  return d;
}

/** MD5 of the UTF-8 text, as lower-case hex (JA3, JA3S, HASSH). */
export function md5hex(s: string): string {
  return remembered('m', s, (x) => bytesToHex(md5(utf8ToBytes(x))));
}

/** The first 12 hex digits of the SHA-256 of the text (JA4's hashed parts). */
export function sha12(s: string): string {
  return remembered('s', s, (x) => bytesToHex(sha256(utf8ToBytes(x))).slice(0, 12));
}
