/**
 * Digests of fingerprint strings (JA3, JA4, HASSH), remembered: a host sends the same handshake
 * shape on every connection, and hashing in JavaScript was a third of the cost of a TLS handshake.
 * Bounded: a table is cleared when full (2 x 2048 entries, where one table held 4096).
 */
import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** One table per digest, so the text is the key itself (a prefixed key was a new string to hash). */
const md5s = new Map<string, string>();
const sha12s = new Map<string, string>();
const DIGESTS = 2048;

function remembered(digests: Map<string, string>, s: string, f: (s: string) => string): string {
  let d = digests.get(s);
  if (d === undefined) {
    d = f(s);
    if (digests.size >= DIGESTS) digests.clear();
    digests.set(s, d);
  }
  return d;
}

const md5Of = (s: string): string => bytesToHex(md5(utf8ToBytes(s)));
const sha12Of = (s: string): string => bytesToHex(sha256(utf8ToBytes(s))).slice(0, 12);

/** MD5 of the UTF-8 text, as lower-case hex (JA3, JA3S, HASSH). */
export function md5hex(s: string): string {
  return remembered(md5s, s, md5Of);
}

/** The first 12 hex digits of the SHA-256 of the text (JA4's hashed parts). */
export function sha12(s: string): string {
  return remembered(sha12s, s, sha12Of);
}
