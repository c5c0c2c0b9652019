import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { dstRef, srcRef } from '../common/refs';
import { Emitter } from '../common/emit';

const em = new Emitter<typeof VOCABULARY>('ntp');

/** NTP (udp 123): mode and stratum; servers (mode 4, broadcast 5) take the 'ntp-server' role. */
const MODES = [
  'reserved',
  'symmetric-active',
  'symmetric-passive',
  'client',
  'server',
  'broadcast',
  'control',
  'private',
];

export function dissectNtp(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const b0 = w.u8(0);
  const vn = (b0 >> 3) & 7;
  const mode = b0 & 7;
  if (vn < 1 || vn > 4 || mode === 0) return false;
  if (mode <= 5 && w.length < 48) return false;
  if (mode >= 6) return true;
  const me = srcRef(p);
  const stratum = w.u8(1);
  em.attribute(ctx, p, { device: me, field: 'mode', key: 'ntp-mode', value: MODES[mode]! });
  if (mode === 4 || mode === 5) {
    em.role(ctx, p, { device: me, field: 'mode', role: 'ntp-server', peer: mode === 4 ? dstRef(p) : null });
    em.attribute(ctx, p, { device: me, field: 'stratum', key: 'ntp-stratum', value: String(stratum) });
    if (stratum === 1) {
      // RFC 5905 7.3: a stratum-1 reference id is four ASCII characters, NUL-padded; not only the upper-case
      // codes of its table: Meinberg DCF77 receivers send "DCFa" / "DCFp".
      const ref = w.ascii(12, 4).replace(/\0+$/, '');
      if (/^[\x21-\x7e]{1,4}$/.test(ref))
        em.attribute(ctx, p, { device: me, field: 'refid', key: 'ntp-refid', value: ref });
    }
  } else if (mode === 3) {
    em.role(ctx, p, { device: me, field: 'mode', role: 'ntp-client', peer: dstRef(p) });
  }
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['mode', 'refid', 'stratum'],
  keys: {
    attribute: ['ntp-mode', 'ntp-refid', 'ntp-stratum'],
    role: ['ntp-client', 'ntp-server'],
  },
} as const satisfies Vocabulary;

export const ntp: AppProtocol = {
  name: 'ntp',
  group: 'it',
  emits: { ntp: VOCABULARY },
  udpPorts: [123],
  dissect: dissectNtp,
};
