/** mDNS / DNS-SD answers (RFC 6762/6763): a printer announcing its IPP service with a TXT record. */
import { ascii, concat, ip4Bytes, u16, u32, type Bytes } from '../bytes';

const TYPE = { A: 1, PTR: 12, TXT: 16, SRV: 33 } as const;
/** Class IN with the cache-flush bit, as unique records are announced. */
const IN_FLUSH = 0x8001;

function name(n: string): number[] {
  const out: number[] = [];
  for (const label of n.split('.').filter(Boolean)) out.push(label.length, ...ascii(label));
  out.push(0);
  return out;
}

function rr(owner: string, type: number, cls: number, ttl: number, rdata: Bytes | number[]): Bytes {
  return concat(name(owner), u16(type), u16(cls), u32(ttl), u16(rdata.length), rdata);
}

export interface ServiceAnnouncement {
  instance: string;
  service: string;
  host: string;
  ip: string;
  port: number;
  txt: string[];
}

/** An unsolicited response: PTR, SRV, TXT and A for one service instance. */
export function mdnsAnnouncement(s: ServiceAnnouncement): Bytes {
  const full = `${s.instance}.${s.service}`;
  const txt = s.txt.flatMap((t) => [t.length, ...ascii(t)]);
  return concat(
    u16(0),
    u16(0x8400),
    u16(0),
    u16(4),
    u16(0),
    u16(0),
    rr(s.service, TYPE.PTR, 1, 4500, name(full)),
    rr(full, TYPE.SRV, IN_FLUSH, 120, concat(u16(0), u16(0), u16(s.port), name(s.host))),
    rr(full, TYPE.TXT, IN_FLUSH, 4500, txt),
    rr(s.host, TYPE.A, IN_FLUSH, 120, ip4Bytes(s.ip)),
  );
}

/** A plain DNS query for an A record, and its answer. */
export function dnsQuery(id: number, host: string): Bytes {
  return concat(u16(id), u16(0x0100), u16(1), u16(0), u16(0), u16(0), name(host), u16(TYPE.A), u16(1));
}

export function dnsAnswer(id: number, host: string, ip: string): Bytes {
  return concat(
    u16(id),
    u16(0x8180),
    u16(1),
    u16(1),
    u16(0),
    u16(0),
    name(host),
    u16(TYPE.A),
    u16(1),
    rr(host, TYPE.A, 1, 300, ip4Bytes(ip)),
  );
}
