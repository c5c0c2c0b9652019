import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, Vocabulary } from '../contract';
import type { ObservationKind } from '../../model/observation';
import type { Emitter } from '../common/emit';
import { srcRef } from '../common/refs';
import { cleanText } from '../common/text';

/**
 * NTLMSSP messages (MS-NLMP 2.2.1), whatever carries them (SMB session setups, DCE/RPC auth
 * verifiers, HTTP and LDAP authentication): NEGOTIATE and AUTHENTICATE say the client's workstation,
 * domain and Windows version; CHALLENGE the server's NetBIOS and DNS names and version. SPNEGO
 * wrappers are not parsed: the message is found by its signature, which is cheaper and just as sure.
 * The facts carry the carrier's protocol name and the same fields everywhere, so rules and the
 * identity table need not know the carrier.
 */
const SIGNATURE = [0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00];

/** Bytes of a UTF-16 string read at most: names are short, a lying length costs no more than this. */
const MAX_UTF16 = 512;
/** AV pairs read at most in a CHALLENGE's target info. */
const MAX_AV_PAIRS = 32;

export function utf16(w: ByteWindow, o: number, n: number): string {
  let s = '';
  const m = n > MAX_UTF16 ? MAX_UTF16 : n;
  for (let i = 0; i + 1 < m; i += 2) s += String.fromCharCode(w.u16le(o + i));
  return cleanText(s, 256);
}

/** Offset of the first NTLMSSP signature in `w` at or after `from`, or -1. */
export function findNtlmssp(w: ByteWindow, from = 0): number {
  const lim = w.length;
  for (let i = from < 0 ? 0 : from; i + 8 <= lim; i++) {
    if (w.u8(i) !== 0x4e) continue;
    let k = 1;
    while (k < 8 && w.u8(i + k) === SIGNATURE[k]) k++;
    if (k === 8) return i;
  }
  return -1;
}

function version(w: ByteWindow, o: number): string {
  const major = w.u8(o);
  const minor = w.u8(o + 1);
  const build = w.u16le(o + 2);
  if (major === 0 || major > 20) return '';
  return major + '.' + minor + '.' + build;
}

/** The NTLMSSP message at offset `s` of `w`, stated through `em` (the carrier's emitter). */
export function dissectNtlmssp(
  w: ByteWindow,
  s: number,
  p: Packet,
  ctx: AppContext,
  em: Emitter<NtlmsspVocabulary>,
): void {
  const type = w.u32le(s + 8);
  const me = srcRef(p);
  const sec = (o: number) => ({ len: w.u16le(s + o), off: w.u32le(s + o + 4) });
  if (type === 1) {
    const flags = w.u32le(s + 12);
    if ((flags & 0x02000000) !== 0) {
      const v = version(w, s + 32);
      if (v !== '')
        em.identity(ctx, p, { device: me, field: 'ntlmssp.negotiate.version', attr: 'os-version', value: v });
    }
  } else if (type === 2) {
    const flags = w.u32le(s + 20);
    em.role(ctx, p, { device: me, field: 'ntlmssp.challenge', role: 'ntlm-server', peer: null });
    if ((flags & 0x02000000) !== 0) {
      const v = version(w, s + 48);
      if (v !== '')
        em.identity(ctx, p, { device: me, field: 'ntlmssp.challenge.version', attr: 'os-version', value: v });
    }
    const ti = sec(40);
    let o = s + ti.off;
    const end = o + ti.len;
    for (let i = 0; i < MAX_AV_PAIRS && o + 4 <= end && w.has(o, 4); i++) {
      const id = w.u16le(o);
      const len = w.u16le(o + 2);
      if (id === 0) break;
      const v = o + 4;
      o = v + len;
      if (o > end) break;
      const text = id >= 1 && id <= 5 ? utf16(w, v, len) : '';
      if (text === '') continue;
      if (id === 1)
        em.hostname(ctx, p, { device: me, field: 'ntlmssp.challenge.nbComputerName', name: text });
      else if (id === 2)
        em.identity(ctx, p, {
          device: me,
          field: 'ntlmssp.challenge.nbDomainName',
          attr: 'workgroup',
          value: text,
        });
      else if (id === 3)
        em.hostname(ctx, p, { device: me, field: 'ntlmssp.challenge.dnsComputerName', name: text });
      else if (id === 4)
        em.identity(ctx, p, {
          device: me,
          field: 'ntlmssp.challenge.dnsDomainName',
          attr: 'domain',
          value: text,
        });
    }
  } else if (type === 3) {
    const dom = sec(28);
    const user = sec(36);
    const ws = sec(44);
    const flags = w.u32le(s + 60);
    const unicode = (flags & 0x01) !== 0;
    const str = (f: { len: number; off: number }) =>
      f.len === 0 ? '' : unicode ? utf16(w, s + f.off, f.len) : cleanText(w.ascii(s + f.off, f.len, 256));
    const host = str(ws);
    const domain = str(dom);
    const u = str(user);
    if (host !== '') em.hostname(ctx, p, { device: me, field: 'ntlmssp.auth.workstation', name: host });
    if (domain !== '')
      em.identity(ctx, p, { device: me, field: 'ntlmssp.auth.domain', attr: 'domain', value: domain });
    if (u !== '')
      em.attribute(ctx, p, { device: me, field: 'ntlmssp.auth.user', key: 'ntlm-user', value: u });
    // The Version field exists only when the message has room before its first payload.
    const firstOff = Math.min(...[dom, user, ws].filter((f) => f.len > 0).map((f) => f.off), 1 << 30);
    if ((flags & 0x02000000) !== 0 && firstOff >= 72) {
      const v = version(w, s + 64);
      if (v !== '')
        em.identity(ctx, p, { device: me, field: 'ntlmssp.auth.version', attr: 'os-version', value: v });
    }
  }
}

/** The first NTLMSSP message in `w` (bare, or wrapped in SPNEGO / GSS-API), if any; true when found. */
export function scanNtlmssp(
  w: ByteWindow,
  p: Packet,
  ctx: AppContext,
  em: Emitter<NtlmsspVocabulary>,
): boolean {
  const s = findNtlmssp(w);
  if (s < 0) return false;
  dissectNtlmssp(w, s, p, ctx, em);
  return true;
}

/** What NTLMSSP facts carry, for each carrier's vocabulary. */
export const NTLMSSP_VOCABULARY = {
  fields: [
    'ntlmssp.auth.domain',
    'ntlmssp.auth.user',
    'ntlmssp.auth.version',
    'ntlmssp.auth.workstation',
    'ntlmssp.challenge',
    'ntlmssp.challenge.dnsComputerName',
    'ntlmssp.challenge.dnsDomainName',
    'ntlmssp.challenge.nbComputerName',
    'ntlmssp.challenge.nbDomainName',
    'ntlmssp.challenge.version',
    'ntlmssp.negotiate.version',
  ],
  keys: {
    attribute: ['ntlm-user'],
    identity: ['domain', 'os-version', 'workgroup'],
    role: ['ntlm-server'],
  },
} as const satisfies Vocabulary;

type NtlmsspVocabulary = typeof NTLMSSP_VOCABULARY;
/** The names of one kind a declaration gives (none when it gives none of that kind). */
type Names<V extends Vocabulary, K extends ObservationKind> =
  NonNullable<V['keys']> extends { readonly [P in K]?: infer L }
    ? L extends readonly (infer X extends string)[]
      ? X
      : never
    : never;
/** A carrier's declaration with NTLMSSP's added, still literal, so its emitter stays checked. */
export interface WithNtlmssp<V extends Vocabulary> {
  readonly fields: readonly (V['fields'][number] | NtlmsspVocabulary['fields'][number])[];
  readonly keys: {
    readonly [K in ObservationKind]?: readonly (Names<V, K> | Names<NtlmsspVocabulary, K>)[];
  };
}

/** `v` with the NTLMSSP fields and keys added (sorted, without duplicates). */
export function withNtlmssp<const V extends Vocabulary>(v: V): WithNtlmssp<V> {
  const merge = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
    [...new Set([...(a ?? []), ...(b ?? [])])].sort();
  const keys: Record<string, string[]> = {};
  const kinds = new Set([...Object.keys(v.keys ?? {}), ...Object.keys(NTLMSSP_VOCABULARY.keys)]);
  for (const k of kinds)
    keys[k] = merge(
      (v.keys as Record<string, readonly string[]> | undefined)?.[k],
      (NTLMSSP_VOCABULARY.keys as Record<string, readonly string[]>)[k],
    );
  return { fields: merge(v.fields, NTLMSSP_VOCABULARY.fields), keys } as WithNtlmssp<V>;
}
