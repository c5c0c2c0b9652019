import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { srcRef } from '../common/refs';
import { parseHeaderBlock, productVersion, startsWith } from './text';
import { cleanText } from '../common/text';
import { Emitter } from '../common/emit';

const em = new Emitter<typeof VOCABULARY>('sip');

/** SIP (5060): User-Agent and Server headers name phones, PBXs and softphones. */
const METHODS =
  /^(REGISTER|INVITE|ACK|BYE|CANCEL|OPTIONS|SUBSCRIBE|NOTIFY|PUBLISH|INFO|REFER|MESSAGE|UPDATE|PRACK) \S+ SIP\/2\.0$/;

const WANTED = ['user-agent', 'server'];

export function dissectSip(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const response = startsWith(w, 'SIP/2.0 ');
  const h = parseHeaderBlock(w, 8192, WANTED);
  if (!response && !METHODS.test(h.start)) return false;
  const me = srcRef(p);
  for (const [hdr, field] of [
    ['user-agent', 'User-Agent'],
    ['server', 'Server'],
  ] as const) {
    const v = cleanText(h.headers.get(hdr) ?? '');
    if (v !== '') em.software(ctx, p, { device: me, field, ...productVersion(v), raw: v });
  }
  if (h.start.startsWith('REGISTER '))
    em.role(ctx, p, { device: me, field: 'REGISTER', role: 'sip-client', peer: null });
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['REGISTER', 'Server', 'User-Agent'],
  keys: {
    role: ['sip-client'],
  },
} as const satisfies Vocabulary;

export const sip: AppProtocol = {
  name: 'sip',
  group: 'it',
  emits: { sip: VOCABULARY },
  udpPorts: [5060],
  tcpPorts: [5060],
  dissect: dissectSip,
};
