import type { Captures, Matcher } from './compile';
import type { SynSpec, WindowSpec } from './schema';

/**
 * A structured test of a TCP SYN / SYN-ACK signature (shared/protocols/it/tcp-signature.ts writes
 * them: `<ver>:<initial ttl>:<ip opts>:<mss>:<window>:<wscale>:<option layout>:<quirks>`), field by
 * field as p0f's README describes its signature fields: initial TTL, IP option length, MSS, window
 * (a value, a range, or a multiple of the MSS), window scale, option layout, quirks. A field the rule
 * leaves out accepts anything, an absent value ('*') included.
 */

interface Signature {
  version: number;
  ttl: number;
  ipopts: number;
  /** -1: absent ('*'). */
  mss: number;
  window: number;
  wscale: number;
  options: string;
  quirks: string[];
}

const FIELDS = 8;
const NO_CAPTURES: Captures = Object.freeze({}) as Captures;

/** Parse a signature; null when it is not one (wrong field count, a number that is not one). */
export function parseSignature(s: string): Signature | null {
  if (s.length > 256) return null;
  const f = s.split(':');
  if (f.length !== FIELDS) return null;
  const num = (x: string, absent: boolean): number | null =>
    absent && x === '*' ? -1 : /^\d{1,6}$/.test(x) ? Number(x) : null;
  const version = num(f[0]!, false);
  const ttl = num(f[1]!, false);
  const ipopts = num(f[2]!, false);
  const mss = num(f[3]!, true);
  const window = num(f[4]!, true);
  const wscale = num(f[5]!, true);
  if (
    version === null ||
    ttl === null ||
    ipopts === null ||
    mss === null ||
    window === null ||
    wscale === null
  )
    return null;
  return {
    version,
    ttl,
    ipopts,
    mss,
    window,
    wscale,
    options: f[6]!,
    quirks: f[7] === '' ? [] : f[7]!.split(','),
  };
}

const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

function windowFits(w: WindowSpec, sig: Signature): boolean {
  if (typeof w === 'number') return sig.window === w;
  if ('range' in w) return sig.window >= w.range[0] && sig.window <= w.range[1];
  return sig.mss > 0 && sig.window === sig.mss * w.mss;
}

/** The spec as a Matcher over the signature string (no captures). */
export function synMatcher(spec: SynSpec): Matcher {
  const ttls: number[] | null = spec.ttl === undefined ? null : list(spec.ttl);
  const mss = spec.mss === undefined ? null : list(spec.mss);
  const wscale = spec.wscale === undefined ? null : list(spec.wscale);
  const windows = spec.window === undefined ? null : list(spec.window);
  const layouts = spec.options === undefined ? null : list(spec.options);
  const has = spec.quirks?.has ?? [];
  const lacks = spec.quirks?.lacks ?? [];
  return (s) => {
    const sig = parseSignature(s);
    if (sig === null) return null;
    if (spec.version !== undefined && sig.version !== spec.version) return null;
    if (ttls !== null && !ttls.includes(sig.ttl)) return null;
    if (spec.ipopts !== undefined && sig.ipopts !== spec.ipopts) return null;
    if (mss !== null && !mss.includes(sig.mss)) return null;
    if (windows !== null && !windows.some((w) => windowFits(w, sig))) return null;
    if (wscale !== null && !wscale.includes(sig.wscale)) return null;
    if (layouts !== null && !layouts.includes(sig.options)) return null;
    for (const q of has) if (!sig.quirks.includes(q)) return null;
    for (const q of lacks) if (sig.quirks.includes(q)) return null;
    return NO_CAPTURES;
  };
}
