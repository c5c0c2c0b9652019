/**
 * Address formatting for the hot path. MACs travel as 48-bit numbers and IPv4 addresses as unsigned
 * 32-bit numbers; text is built only for what is kept. Hand-written rather than ipaddr.js because
 * these run once per kept address in the per-packet loop and must not allocate intermediate objects.
 */

/**
 * The text of the last few hundred addresses, by a hash of the number: observations name their
 * devices by text, a handful of hosts say most of what is said, and the same string object also
 * keeps its hash for the inventory's lookups. Direct-mapped, so bounded by construction.
 */
const TEXT_SLOTS = 512;
const macKeys = new Float64Array(TEXT_SLOTS).fill(-1);
const macTexts: string[] = new Array<string>(TEXT_SLOTS).fill('');
const ip4Keys = new Float64Array(TEXT_SLOTS).fill(-1);
const ip4Texts: string[] = new Array<string>(TEXT_SLOTS).fill('');
/** IPv6 keys as four 32-bit words per slot; a slot whose text is '' holds none. */
const ip6Keys = new Int32Array(TEXT_SLOTS * 4);
const ip6Texts: string[] = new Array<string>(TEXT_SLOTS).fill('');

export function macToString(mac: number): string {
  const lo = mac >>> 0;
  const slot = (lo ^ (lo >>> 9) ^ (lo >>> 18)) & (TEXT_SLOTS - 1);
  if (macKeys[slot] === mac) return macTexts[slot]!;
  const s = macText(mac);
  macKeys[slot] = mac;
  macTexts[slot] = s;
  return s;
}

/** Hex digits as character codes: a MAC's text is made in one flat string (see macText). */
const HEX_CODE: number[] = [];
for (let i = 0; i < 16; i++) HEX_CODE.push(i.toString(16).charCodeAt(0));
const COLON = 58;

function macText(mac: number): string {
  const hi = Math.floor(mac / 4294967296);
  const lo = mac >>> 0;
  const h = (b: number) => HEX_CODE[(b >>> 4) & 15]!;
  const l = (b: number) => HEX_CODE[b & 15]!;
  const b0 = (hi >>> 8) & 0xff;
  const b1 = hi & 0xff;
  const b2 = lo >>> 24;
  const b3 = (lo >>> 16) & 0xff;
  const b4 = (lo >>> 8) & 0xff;
  const b5 = lo & 0xff;
  // One string of 17 characters, not a chain of concatenations: what is kept (a device's MAC, in
  // every JSON and partial of it) costs its characters, not six string objects.
  return String.fromCharCode(
    h(b0),
    l(b0),
    COLON,
    h(b1),
    l(b1),
    COLON,
    h(b2),
    l(b2),
    COLON,
    h(b3),
    l(b3),
    COLON,
    h(b4),
    l(b4),
    COLON,
    h(b5),
    l(b5),
  );
}

export function macFromBytes(b: Uint8Array, o = 0): number {
  if (o < 0 || o + 6 > b.length) return -1;
  return (
    ((b[o]! << 8) | b[o + 1]!) * 4294967296 +
    (((b[o + 2]! << 24) | (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!) >>> 0)
  );
}

export function macFromString(s: string): number {
  const h = s.replace(/[^0-9a-fA-F]/g, '');
  if (h.length !== 12) return -1;
  return parseInt(h, 16);
}

/** The I/G bit: group (multicast or broadcast) addresses. */
export function macIsGroup(mac: number): boolean {
  return (Math.floor(mac / 1099511627776) & 0x01) === 1;
}

/** The U/L bit: locally administered (randomized, virtual) addresses. */
export function macIsLocal(mac: number): boolean {
  return (Math.floor(mac / 1099511627776) & 0x02) === 2;
}

export function ipv4ToString(a: number): string {
  const slot = (a ^ (a >>> 9) ^ (a >>> 18)) & (TEXT_SLOTS - 1);
  if (ip4Keys[slot] === a) return ip4Texts[slot]!;
  const s = (a >>> 24) + '.' + ((a >>> 16) & 0xff) + '.' + ((a >>> 8) & 0xff) + '.' + (a & 0xff);
  ip4Keys[slot] = a;
  ip4Texts[slot] = s;
  return s;
}

export function ipv4FromString(s: string): number {
  const p = s.split('.');
  if (p.length !== 4) return -1;
  let v = 0;
  for (const x of p) {
    const n = Number(x);
    if (!/^\d{1,3}$/.test(x) || n > 255) return -1;
    v = v * 256 + n;
  }
  return v;
}

/**
 * IPv6 address at `o` in `b` as RFC 5952 text (lower case, longest zero run compressed). The IPv6
 * layer names both ends of every packet this way: the text of an address seen lately is reused, as
 * macToString's is, rather than made again per packet.
 */
export function ipv6ToString(b: Uint8Array, o: number): string {
  if (o < 0 || o + 16 > b.length) return '';
  const w0 = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  const w1 = (b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!;
  const w2 = (b[o + 8]! << 24) | (b[o + 9]! << 16) | (b[o + 10]! << 8) | b[o + 11]!;
  const w3 = (b[o + 12]! << 24) | (b[o + 13]! << 16) | (b[o + 14]! << 8) | b[o + 15]!;
  let h = Math.imul(w0 ^ w1 ^ Math.imul(w2, 31) ^ Math.imul(w3, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  const slot = h & (TEXT_SLOTS - 1);
  const k = slot * 4;
  if (ip6Keys[k] === w0 && ip6Keys[k + 1] === w1 && ip6Keys[k + 2] === w2 && ip6Keys[k + 3] === w3) {
    const t = ip6Texts[slot]!;
    if (t !== '') return t;
  }
  const s = ipv6Text(b, o);
  ip6Keys[k] = w0;
  ip6Keys[k + 1] = w1;
  ip6Keys[k + 2] = w2;
  ip6Keys[k + 3] = w3;
  ip6Texts[slot] = s;
  return s;
}

function ipv6Text(b: Uint8Array, o: number): string {
  const g = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) g[i] = (b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!;
  // IPv4-mapped addresses keep their dotted tail, as Wireshark and Zeek show them.
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return '::ffff:' + b[o + 12] + '.' + b[o + 13] + '.' + b[o + 14] + '.' + b[o + 15];
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += g[i]!.toString(16);
    if (i < 7) s += ':';
  }
  return s;
}

/**
 * The /64 network of an IPv6 address in text form (its first four groups, as hex without leading
 * zeros, ':'-joined); the text itself when it is not an IPv6 address. Bounded: at most 9 groups split.
 */
export function ipv6Prefix64(s: string): string {
  const dbl = s.indexOf('::');
  const head = (dbl < 0 ? s : s.slice(0, dbl)).split(':', 9);
  if (dbl < 0 && head.length !== 8) return s;
  const groups: string[] = [];
  for (let i = 0; i < 4; i++) {
    const g = i < head.length && head[i] !== '' ? head[i]! : '0';
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return s;
    groups.push(parseInt(g, 16).toString(16));
  }
  return groups.join(':');
}

/**
 * Addresses that can name one host as a packet's source or destination: everything but 0.0.0.0, the
 * limited broadcast and multicast (224/4). Reserved 240/4 and 0/8 stay: what the wire carries is shown.
 */
export function ipv4IsUnicastHost(a: number): boolean {
  return ipv4KeyIsUnicastHost(a | 0);
}

/**
 * ipv4IsUnicastHost of an address as its signed key (`a | 0`, as the inventory keeps addresses): on
 * the per-frame path an unsigned address above 128.0.0.0, passed to a call V8 does not inline, is a
 * heap number each time; a key is a small integer.
 */
export function ipv4KeyIsUnicastHost(k: number): boolean {
  // Multicast (224-239) as one comparison that runs for every address: `o1 > 239` ran only for
  // multicast and broadcast ones, and its first run threw away the optimised per-packet code.
  return k !== 0 && k !== -1 && ((k >>> 24) & 0xf0) !== 0xe0;
}
