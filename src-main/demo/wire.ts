/**
 * The demo's segment of Ethernet: hosts send frames at the current time, TCP sessions keep their
 * sequence numbers right, and every frame is recorded with its timestamp.
 */
import { concat, ethernet, ipv4, TCP, tcp, udp, u16, macBytes, ip4Bytes, type Bytes } from './bytes';
import type { Rng } from './rng';

export interface Host {
  name: string;
  mac: string;
  ip: string;
  /** Initial TTL of its IP stack (64 Linux/macOS, 128 Windows, 255 network gear). */
  ttl: number;
}

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

/** A frame on the wire and its capture time in microseconds since the epoch. */
export interface WireRecord {
  tsUs: number;
  data: Uint8Array;
}

export class Wire {
  readonly records: WireRecord[] = [];
  private nowUs: number;
  private ipIds = new Map<string, number>();

  constructor(
    startMs: number,
    readonly rng: Rng,
  ) {
    this.nowUs = startMs * 1000;
  }

  /** Moves the clock to `ms` (never backwards) plus a little seeded jitter. */
  at(ms: number, startMs: number): void {
    const t = (startMs + ms) * 1000 + this.rng.int(0, 900);
    this.nowUs = Math.max(this.nowUs + 1, t);
  }

  /** Advances the clock by a short gap (a reply's latency). */
  after(us: number): void {
    this.nowUs += Math.max(1, Math.round(us));
  }

  /** Records a frame now; two frames never share a timestamp (a capture's clock ticks between them). */
  frame(data: Bytes): void {
    const last = this.records.at(-1);
    if (last !== undefined && last.tsUs >= this.nowUs) this.nowUs = last.tsUs + 1;
    this.records.push({ tsUs: this.nowUs, data });
  }

  nextIpId(h: Host): number {
    const v = this.ipIds.get(h.mac + h.ip) ?? this.rng.int(1, 0xffff);
    this.ipIds.set(h.mac + h.ip, (v + 1) & 0xffff);
    return v;
  }

  /** An IPv4/UDP datagram; `via` is the MAC it really leaves from or goes to (a router for Internet peers). */
  udp(
    from: Host,
    to: { mac: string; ip: string },
    sport: number,
    dport: number,
    payload: Bytes,
    ttl = from.ttl,
  ): void {
    const ip = ipv4(from.ip, to.ip, 17, udp(from.ip, to.ip, sport, dport, payload), this.nextIpId(from), ttl);
    this.frame(ethernet(to.mac, from.mac, 0x0800, ip));
  }

  arp(op: 1 | 2, from: Host, target: { mac: string; ip: string }): void {
    const body = concat(
      u16(1),
      u16(0x0800),
      [6, 4],
      u16(op),
      macBytes(from.mac),
      ip4Bytes(from.ip),
      macBytes(op === 1 ? '00:00:00:00:00:00' : target.mac),
      ip4Bytes(target.ip),
      new Uint8Array(18),
    );
    this.frame(ethernet(op === 1 ? BROADCAST_MAC : target.mac, from.mac, 0x0806, body));
  }

  /** The frames of an Ethernet type other than IP (LLDP). */
  raw(dst: string, src: string, etherType: number, payload: Bytes): void {
    this.frame(ethernet(dst, src, etherType, payload));
  }
}

/**
 * One TCP connection. `client`/`server` are the IP endpoints; their MACs are those of the next hop
 * (a router's MAC for an Internet peer), which is how a capture on the LAN sees them.
 */
export class TcpSession {
  private cSeq: number;
  private sSeq: number;

  constructor(
    private readonly w: Wire,
    private readonly client: Host,
    private readonly server: Host,
    private readonly cport: number,
    private readonly sport: number,
  ) {
    this.cSeq = w.rng.int(1, 0x7fffffff);
    this.sSeq = w.rng.int(1, 0x7fffffff);
  }

  private seg(fromClient: boolean, flags: number, payload: Bytes, options?: number[]): void {
    const [a, b] = fromClient ? [this.client, this.server] : [this.server, this.client];
    const [ap, bp] = fromClient ? [this.cport, this.sport] : [this.sport, this.cport];
    const seq = fromClient ? this.cSeq : this.sSeq;
    const ack = flags & TCP.ACK ? (fromClient ? this.sSeq : this.cSeq) : 0;
    const t = tcp(
      a.ip,
      b.ip,
      ap,
      bp,
      { seq, ack, flags, window: fromClient ? 64240 : 29200, options },
      payload,
    );
    this.w.frame(ethernet(b.mac, a.mac, 0x0800, ipv4(a.ip, b.ip, 6, t, this.w.nextIpId(a), a.ttl)));
    const used = payload.length + (flags & (TCP.SYN | TCP.FIN) ? 1 : 0);
    if (fromClient) this.cSeq = (this.cSeq + used) >>> 0;
    else this.sSeq = (this.sSeq + used) >>> 0;
  }

  open(rttUs = 400): this {
    // MSS 1460, SACK permitted, window scale 7: an ordinary modern stack.
    this.seg(true, TCP.SYN, new Uint8Array(0), [2, 4, 5, 0xb4, 4, 2, 1, 3, 3, 7]);
    this.w.after(rttUs);
    this.seg(false, TCP.SYN | TCP.ACK, new Uint8Array(0), [2, 4, 5, 0xb4, 4, 2, 1, 3, 3, 7]);
    this.w.after(rttUs / 4);
    this.seg(true, TCP.ACK, new Uint8Array(0));
    return this;
  }

  /** One request and its reply, each carried in a PSH segment; the requester's ACK follows. */
  exchange(request: Bytes, reply: Bytes, latencyUs = 2000, fromClient = true): void {
    this.w.after(50);
    this.seg(fromClient, TCP.PSH | TCP.ACK, request);
    this.w.after(latencyUs);
    this.seg(!fromClient, TCP.PSH | TCP.ACK, reply);
    this.w.after(200);
    this.seg(fromClient, TCP.ACK, new Uint8Array(0));
  }

  send(fromClient: boolean, payload: Bytes): void {
    this.w.after(50);
    this.seg(fromClient, TCP.PSH | TCP.ACK, payload);
  }

  close(): void {
    this.w.after(100);
    this.seg(true, TCP.FIN | TCP.ACK, new Uint8Array(0));
    this.w.after(300);
    this.seg(false, TCP.FIN | TCP.ACK, new Uint8Array(0));
    this.w.after(100);
    this.seg(true, TCP.ACK, new Uint8Array(0));
  }
}
