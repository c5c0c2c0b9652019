import type { Captures, Matcher } from './compile';
import type { SynSpec, WindowSpec } from './schema';

/**
 * A structured test of a TCP SYN / SYN-ACK signature (shared/protocols/it/tcp-signature.ts writes
 * them: `<ver>:<initial ttl>:<ip opts>:<mss>:<window>:<wscale>:<option layout>:<quirks>`), field by
 * field as p0f's README describes its signature fields: initial TTL, IP option length, MSS, window
 * (a value, a range, or a multiple of the MSS), window scale, option layout, quirks. A field the rule
 * leaves out accepts anything, an absent value ('*') included.
 *
 * TTL as p0f matches it: the rule names the initial TTL; the TTL heard matches when it is at most that
 * and at most MAX_DISTANCE hops below it. The signature names the initial TTL its observer guessed and
 * the observer states, beside it, how many hops below that the TTL was heard (`tcp.distance`); a
 * signature heard with no distance stated was heard at its initial TTL.
 */

/** The attribute key of the hops a SYN's TTL was heard below the initial TTL its signature names. */
export const DISTANCE_KEY = 'tcp.distance';
/** The most hops a TTL is read across (p0f's MAX_DIST). */
export const MAX_DISTANCE = 35;

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
const HEARD_AT_INITIAL: readonly number[] = [0];

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

/**
 * A test of a signature heard at these distances below its initial TTL (none known: heard at it).
 * Captures `distance`: the hops between the device and us under the initial TTL the rule names.
 */
export type SynTest = (s: string, distances: readonly number[]) => Captures | null;

/** The spec as a Matcher over a signature heard at its initial TTL. */
export function synMatcher(spec: SynSpec): Matcher {
  const t = synTest(spec);
  return (s) => t(s, HEARD_AT_INITIAL);
}

/** The hops from an initial TTL to one of the TTLs heard, when one is within reach; else -1. */
function hops(initial: number, sigTtl: number, distances: readonly number[]): number {
  for (const d of distances) {
    const heard = sigTtl - d;
    if (heard >= 1 && heard <= initial && initial - heard <= MAX_DISTANCE) return initial - heard;
  }
  return -1;
}

/**
 * Parsed signatures by their text, shared by every SYN rule: each of them tests a device's signature,
 * and a network's devices share a few signatures. Bounded: cleared when full.
 */
const parsed = new Map<string, Signature | null>();
const MAX_PARSED = 4096;

function signatureOf(s: string): Signature | null {
  let sig = parsed.get(s);
  if (sig === undefined) {
    sig = parseSignature(s);
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(s, sig);
  }
  return sig;
}

export function synTest(spec: SynSpec): SynTest {
  const ttls: number[] | null = spec.ttl === undefined ? null : list(spec.ttl);
  const mss = spec.mss === undefined ? null : list(spec.mss);
  const wscale = spec.wscale === undefined ? null : list(spec.wscale);
  const windows = spec.window === undefined ? null : list(spec.window);
  const layouts = spec.options === undefined ? null : list(spec.options);
  const has = spec.quirks?.has ?? [];
  const lacks = spec.quirks?.lacks ?? [];
  return (s, distances) => {
    const sig = signatureOf(s);
    if (sig === null) return null;
    if (spec.version !== undefined && sig.version !== spec.version) return null;
    const heard = distances.length > 0 ? distances : HEARD_AT_INITIAL;
    // Without a TTL in the rule any distance goes; with one, the first initial TTL within reach.
    let distance = ttls === null ? heard[0]! : -1;
    if (ttls !== null)
      for (let i = 0; i < ttls.length && distance < 0; i++) distance = hops(ttls[i]!, sig.ttl, heard);
    if (distance < 0) return null;
    if (spec.ipopts !== undefined && sig.ipopts !== spec.ipopts) return null;
    if (mss !== null && !mss.includes(sig.mss)) return null;
    if (windows !== null && !windows.some((w) => windowFits(w, sig))) return null;
    if (wscale !== null && !wscale.includes(sig.wscale)) return null;
    if (layouts !== null && !layouts.includes(sig.options)) return null;
    for (const q of has) if (!sig.quirks.includes(q)) return null;
    for (const q of lacks) if (sig.quirks.includes(q)) return null;
    return { distance: String(distance) };
  };
}
