import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { dstRef, srcRef } from '../common/refs';
import { startsWith } from './text';
import { cleanText } from '../common/text';
import { md5hex } from './digest';
import { Emitter } from '../common/emit';

const em = new Emitter<typeof VOCABULARY>('ssh');

/**
 * SSH identification strings (RFC 4253 4.2): "SSH-protoversion-softwareversion SP comments".
 * The server speaks first on port 22; either side's banner names its software, the comment often
 * its distribution ("Ubuntu-4ubuntu0.5"). After the banner each side sends SSH_MSG_KEXINIT in the
 * clear (RFC 4253 7.1): its algorithm lists are the HASSH fingerprints (client: hassh, server:
 * hassh-server; MD5 of "kex;encryption;mac;compression" in that side's sending direction, as
 * Salesforce's HASSH defines them).
 */
export interface SshBanner {
  protocol: string;
  software: string;
  comment: string;
  raw: string;
}

export function parseSshBanner(w: ByteWindow): SshBanner | null {
  if (!startsWith(w, 'SSH-')) return null;
  const lim = w.length < 255 ? w.length : 255;
  let e = 0;
  while (e < lim && w.u8(e) !== 0x0a && w.u8(e) !== 0x0d) e++;
  const raw = cleanText(w.ascii(0, e, 255), 255);
  const m = /^SSH-([0-9.]{1,8})-(\S{1,200})(?: (.*))?$/.exec(raw);
  if (m === null) return null;
  return { protocol: m[1]!, software: m[2]!, comment: m[3] ?? '', raw };
}

function splitSoftware(s: string): { product: string; version: string | null } {
  // OpenSSH_8.9p1, dropbear_2020.81, libssh_0.9.6, Cisco-1.25, RomSShell_4.62
  const m = /^([A-Za-z][\w.+-]*?)[_-]v?(\d[\w.+-]*)$/.exec(s);
  return m === null ? { product: s, version: null } : { product: m[1]!, version: m[2]! };
}

const MSG_KEXINIT = 20;
/** Name-lists are comma-separated algorithm names; real ones stay under a few kilobytes. */
const MAX_NAME_LIST = 8192;

/** The ten name-lists of a KEXINIT binary packet starting at `o`, or null when it is not one (whole). */
export function parseKexinit(w: ByteWindow, o: number): string[] | null {
  if (!w.has(o, 6 + 16)) return null;
  const len = w.u32(o);
  if (w.u8(o + 5) !== MSG_KEXINIT || len < 1 + 1 + 16 + 40 || len > 256 * 1024) return null;
  let at = o + 6 + 16;
  const lists: string[] = [];
  for (let i = 0; i < 10; i++) {
    if (!w.has(at, 4)) return null;
    const n = w.u32(at);
    if (n > MAX_NAME_LIST || !w.has(at + 4, n)) return null;
    lists.push(w.ascii(at + 4, n, MAX_NAME_LIST));
    at += 4 + n;
  }
  return lists;
}

/** HASSH of a KEXINIT: the sender's own direction (client to server for a client, else server to client). */
export function hassh(lists: readonly string[], client: boolean): { value: string; algorithms: string } {
  const d = client ? 0 : 1;
  const algorithms = [lists[0], lists[2 + d], lists[4 + d], lists[6 + d]].join(';');
  return { value: md5hex(algorithms), algorithms };
}

function emitHassh(w: ByteWindow, o: number, p: Packet, ctx: AppContext, server: boolean): boolean {
  const lists = parseKexinit(w, o);
  if (lists === null) return false;
  const h = hassh(lists, !server);
  const me = srcRef(p);
  em.fingerprint(ctx, p, {
    device: me,
    field: 'kexinit',
    scheme: server ? 'hassh-server' : 'hassh',
    value: h.value,
  });
  em.attribute(ctx, p, {
    device: me,
    field: 'kexinit',
    key: server ? 'hassh-server-algorithms' : 'hassh-algorithms',
    value: cleanText(h.algorithms, 512),
  });
  return true;
}

function isServerSide(p: Packet): boolean {
  return p.srcPort === 22 || (p.dstPort !== 22 && p.srcPort < p.dstPort);
}

export function dissectSsh(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const b = parseSshBanner(w);
  if (b === null) return startsWith(w, 'SSH-') ? true : false;
  const me = srcRef(p);
  const isServer = isServerSide(p);
  em.software(ctx, p, { device: me, field: 'banner', ...splitSoftware(b.software), raw: b.raw });
  em.attribute(ctx, p, { device: me, field: 'banner.protocol', key: 'ssh-protocol', value: b.protocol });
  if (b.comment !== '')
    em.attribute(ctx, p, { device: me, field: 'banner.comment', key: 'ssh-comment', value: b.comment });
  em.role(ctx, p, {
    device: me,
    field: 'banner',
    role: isServer ? 'ssh-server' : 'ssh-client',
    peer: dstRef(p),
  });
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['banner', 'banner.comment', 'banner.protocol', 'kexinit'],
  keys: {
    attribute: ['hassh-algorithms', 'hassh-server-algorithms', 'ssh-comment', 'ssh-protocol'],
    fingerprint: ['hassh', 'hassh-server'],
    role: ['ssh-client', 'ssh-server'],
  },
} as const satisfies Vocabulary;

/** A flow's state: a module-level function, so no closure is made per payload. */
function newSshState(): { seen: number; banners: number; kex: number } {
  return { seen: 0, banners: 0, kex: 0 };
}

export const ssh: AppProtocol = {
  name: 'ssh',
  group: 'it',
  emits: { ssh: VOCABULARY },
  tcpPorts: [22, 2222],
  heuristic: (w, p) => p.ipProto === 6 && parseSshBanner(w) !== null,
  dissect(w, p, ctx) {
    // The banner, then each side's KEXINIT (bit 1: client's seen, bit 2: server's); the rest of the
    // flow is encrypted. A KEXINIT split over segments is not reassembled: it is missed, not misread.
    // Both banners and both KEXINITs seen: the flow has nothing more to say (learn once).
    const s = ctx.flowState(p, 'ssh', newSshState);
    const server = isServerSide(p);
    const bit = server ? 2 : 1;
    if (startsWith(w, 'SSH-')) {
      s.seen++;
      const ok = dissectSsh(w, p, ctx);
      if ((s.banners & bit) === 0 && parseSshBanner(w) !== null) s.banners |= bit;
      // The KEXINIT often follows the banner's line end in the same segment.
      const nl = w.indexOf(0x0a);
      if (ok && nl >= 0 && nl + 1 < w.length && (s.kex & bit) === 0 && emitHassh(w, nl + 1, p, ctx, server))
        s.kex |= bit;
      if (s.banners === 3 && s.kex === 3) ctx.finished(p);
      return ok;
    }
    if (s.seen > 0 && (s.kex & bit) === 0 && emitHassh(w, 0, p, ctx, server)) s.kex |= bit;
    if (s.banners === 3 && s.kex === 3) ctx.finished(p);
    return s.seen > 0;
  },
};
