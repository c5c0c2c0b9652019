import type { Packet } from '../../decode/packet';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_SYN } from '../../decode/packet';
import type { Vocabulary } from '../contract';
import { Emitter, type Sink } from '../common/emit';

/** What SYN signatures carry, under the protocol name `tcp`. */
export const TCP_SIGNATURE_VOCABULARY = {
  fields: ['syn', 'syn-ack'],
  keys: { attribute: ['tcp.distance'], fingerprint: ['tcp-syn', 'tcp-synack'] },
} as const satisfies Vocabulary;

const em = new Emitter<typeof TCP_SIGNATURE_VOCABULARY>('tcp');

/** A per-packet observer of TCP SYN and SYN-ACK segments: what it sees goes to `out`. */
export type SynObserver = (p: Packet, out: Sink) => void;

/**
 * TCP SYN / SYN-ACK signatures for passive OS fingerprinting, in our own compact format:
 *
 *   <ver>:<initial ttl>:<ip opts>:<mss>:<window>:<wscale>:<option layout>:<quirks>
 *
 * e.g. "4:64:0:1460:64240:7:M,S,T,N,W:df". Initial TTL is the observed TTL rounded up to 32, 64,
 * 128 or 255; absent values are '*'; quirks: df (don't fragment), id0 (zero IP ID with DF clear or
 * set), ecn (ECE/CWR on SYN, or ECN bits in IP). Called for every TCP packet; the cheap flag test
 * comes first. Beside the signature, how many hops below that initial TTL the TTL was heard
 * (`tcp.distance`, as p0f reports `dist`): rules read it to match an initial TTL the rounding did not
 * guess (shared/classify/syn-matcher.ts).
 */
export function initialTtl(ttl: number): number {
  if (ttl <= 32) return 32;
  if (ttl <= 64) return 64;
  if (ttl <= 128) return 128;
  return 255;
}

export const tcpSignature: SynObserver = (p, out) => {
  if ((p.tcpFlags & TCP_SYN) === 0 || p.ipProto !== 6 || p.ttl < 0) return;
  const synAck = (p.tcpFlags & TCP_ACK) !== 0;
  const quirks: string[] = [];
  if (p.ipVersion === 4) {
    if (p.dontFragment) quirks.push('df');
    if (p.ipId === 0) quirks.push('id0');
  }
  if ((p.tcpFlags & (TCP_ECE | TCP_CWR)) !== 0 || p.ecn !== 0) quirks.push('ecn');
  const v = (n: number) => (n < 0 ? '*' : String(n));
  const initial = initialTtl(p.ttl);
  const value = [
    p.ipVersion === 6 ? '6' : '4',
    initial,
    p.ipOptionBytes,
    v(p.tcpMss),
    v(p.tcpWindow),
    v(p.tcpWscale),
    p.tcpOptionLayout === '' ? '*' : p.tcpOptionLayout,
    quirks.join(','),
  ].join(':');
  const field = synAck ? 'syn-ack' : 'syn';
  em.fingerprint(out, p, { end: 'src', field, scheme: synAck ? 'tcp-synack' : 'tcp-syn', value });
  em.attribute(out, p, { end: 'src', field, key: 'tcp.distance', value: String(initial - p.ttl) });
};
