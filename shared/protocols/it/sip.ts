import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { base, srcRef } from './refs';
import { cleanText, parseHeaderBlock, productVersion, startsWith } from './text';

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
    if (v !== '') ctx.emit({ kind: 'software', ...productVersion(v), raw: v, ...base(p, me, 'sip', field) });
  }
  if (h.start.startsWith('REGISTER '))
    ctx.emit({ kind: 'role', role: 'sip-client', peer: null, ...base(p, me, 'sip', 'REGISTER') });
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY: Vocabulary = {
  fields: ['REGISTER', 'Server', 'User-Agent'],
  keys: {
    role: ['sip-client'],
  },
};

export const sip: AppProtocol = {
  name: 'sip',
  group: 'it',
  emits: { sip: VOCABULARY },
  udpPorts: [5060],
  tcpPorts: [5060],
  dissect: dissectSip,
};
