import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol } from '../contract';
import { base, dstRef, srcRef } from './refs';
import { cleanText, startsWith } from './text';

/**
 * SSH identification strings (RFC 4253 4.2): "SSH-protoversion-softwareversion SP comments".
 * The server speaks first on port 22; either side's banner names its software, the comment often
 * its distribution ("Ubuntu-4ubuntu0.5").
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

export function dissectSsh(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const b = parseSshBanner(w);
  if (b === null) return startsWith(w, 'SSH-') ? true : false;
  const me = srcRef(p);
  const isServer = p.srcPort === 22 || (p.dstPort !== 22 && p.srcPort < p.dstPort);
  ctx.emit({ ...base(p, me, 'ssh', 'banner'), kind: 'software', ...splitSoftware(b.software), raw: b.raw });
  ctx.emit({
    ...base(p, me, 'ssh', 'banner.protocol'),
    kind: 'attribute',
    key: 'ssh-protocol',
    value: b.protocol,
  });
  if (b.comment !== '')
    ctx.emit({
      ...base(p, me, 'ssh', 'banner.comment'),
      kind: 'attribute',
      key: 'ssh-comment',
      value: b.comment,
    });
  ctx.emit({
    ...base(p, me, 'ssh', 'banner'),
    kind: 'role',
    role: isServer ? 'ssh-server' : 'ssh-client',
    peer: dstRef(p),
  });
  return true;
}

export const ssh: AppProtocol = {
  name: 'ssh',
  tcpPorts: [22, 2222],
  heuristic: (w, p) => p.ipProto === 6 && parseSshBanner(w) !== null,
  dissect(w, p, ctx) {
    // Only the banner is read; the rest of the flow is recognised but encrypted or binary.
    const s = ctx.flowState(p, 'ssh', () => ({ seen: 0 }));
    if (startsWith(w, 'SSH-')) {
      s.seen++;
      return dissectSsh(w, p, ctx);
    }
    return s.seen > 0;
  },
};
