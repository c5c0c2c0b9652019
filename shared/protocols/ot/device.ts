import type { Packet } from '../../decode/packet';
import type { DeviceRef, EventFacts, IdentityAttribute, Observation } from '../../model/observation';
import { clip } from '../../model/observation';
import { ipv4IsUnicastHost, ipv4ToString, macIsGroup, macToString } from '../../util/addr';
import type { AppContext } from '../contract';

/** The sender of the packet as a DeviceRef (MAC where the frame shows one, IP where there is one). */
export function srcDevice(p: Packet): DeviceRef {
  return {
    mac: p.srcMac >= 0 ? macToString(p.srcMac) : null,
    ip: p.ipVersion === 4 ? ipv4ToString(p.src4) : p.ipVersion === 6 ? p.src6 : null,
  };
}

/** The receiver of the packet as a DeviceRef. */
export function dstDevice(p: Packet): DeviceRef {
  return {
    mac: p.dstMac >= 0 ? macToString(p.dstMac) : null,
    ip: p.ipVersion === 4 ? ipv4ToString(p.dst4) : p.ipVersion === 6 ? p.dst6 : null,
  };
}

/** Which end of the packet an observation is about. */
export type End = 'src' | 'dst';

function dev(p: Packet, end: End): DeviceRef {
  return end === 'src' ? srcDevice(p) : dstDevice(p);
}

/** The receiver is a group (broadcast, multicast): it names no device. */
export function dstIsGroup(p: Packet): boolean {
  if (p.dstMac >= 0 && macIsGroup(p.dstMac)) return true;
  // A directed broadcast (x.y.z.255) is caught by its broadcast MAC; the address alone could be a host.
  if (p.ipVersion === 4) return !ipv4IsUnicastHost(p.dst4);
  if (p.ipVersion === 6) return p.dst6.startsWith('ff');
  return false;
}

function peerOf(p: Packet, end: End): DeviceRef | null {
  if (end === 'src' && dstIsGroup(p)) return null;
  return dev(p, other(end));
}

function other(end: End): End {
  return end === 'src' ? 'dst' : 'src';
}

/**
 * A small emitter bound to one protocol: every OT dissector states facts the same way, so the
 * DeviceRef, frame and time are filled in one place and every wire string is clipped. `E` is the
 * dissector's declared event names (its exported EVENTS): it cannot emit an event it did not declare.
 */
export class Emitter<E extends string = never> {
  constructor(readonly protocol: string) {}

  identity(
    ctx: AppContext,
    p: Packet,
    end: End,
    field: string,
    attr: IdentityAttribute,
    value: string,
  ): void {
    if (end === 'dst' && dstIsGroup(p)) return;
    const v = clean(value);
    if (v === '') return;
    this.send(ctx, { kind: 'identity', attr, value: v, ...this.base(p, end, field) });
  }

  attribute(ctx: AppContext, p: Packet, end: End, field: string, key: string, value: string): void {
    if (end === 'dst' && dstIsGroup(p)) return;
    const v = clean(value);
    if (v === '') return;
    this.send(ctx, { kind: 'attribute', key, value: v, ...this.base(p, end, field) });
  }

  /** A role of `end`, with the other end of the packet as its peer (or no peer). */
  role(ctx: AppContext, p: Packet, end: End, field: string, role: string, withPeer = true): void {
    if (end === 'dst' && dstIsGroup(p)) return;
    const peer = withPeer ? peerOf(p, end) : null;
    this.send(ctx, { kind: 'role', role, peer, ...this.base(p, end, field) });
  }

  /**
   * An event done BY `end` (the actor) TO the other end (the peer), or stated by a device itself: what
   * happened and its facts. How urgent it is and how it reads are the alert policy's, not the parser's.
   */
  event(
    ctx: AppContext,
    p: Packet,
    end: End,
    field: string,
    event: E,
    facts: EventFacts = {},
    withPeer = true,
  ): void {
    if (end === 'dst' && dstIsGroup(p)) return;
    const peer = withPeer ? peerOf(p, end) : null;
    const kept: Record<string, string | number> = {};
    for (const k in facts) {
      const v = facts[k]!;
      kept[k] = typeof v === 'string' ? clip(v) : v;
    }
    this.send(ctx, { kind: 'event', event, facts: kept, peer, ...this.base(p, end, field) });
  }

  service(
    ctx: AppContext,
    p: Packet,
    end: End,
    field: string,
    transport: 'tcp' | 'udp' | 'l2',
    port: number,
    name: string,
  ): void {
    if (end === 'dst' && dstIsGroup(p)) return;
    this.send(ctx, { kind: 'service', transport, port, name, ...this.base(p, end, field) });
  }

  software(
    ctx: AppContext,
    p: Packet,
    end: End,
    field: string,
    product: string,
    version: string | null,
  ): void {
    if (end === 'dst' && dstIsGroup(p)) return;
    const prod = clean(product);
    if (prod === '') return;
    const ver = version === null ? null : clean(version) || null;
    this.send(ctx, {
      kind: 'software',
      product: prod,
      version: ver,
      raw: clip(ver === null ? prod : prod + ' ' + ver),
      ...this.base(p, end, field),
    });
  }

  finding(ctx: AppContext, p: Packet, end: End, field: string, finding: string, detail: string): void {
    if (end === 'dst' && dstIsGroup(p)) return;
    this.send(ctx, { kind: 'finding', finding, detail: clip(detail), ...this.base(p, end, field) });
  }

  private base(p: Packet, end: End, field: string) {
    return { device: dev(p, end), protocol: this.protocol, field, frame: p.frame, ts: p.ts };
  }

  private send(ctx: AppContext, o: Observation): void {
    // Facts are about devices: a broadcast or multicast receiver is not one.
    if (o.device.mac === null && o.device.ip === null) return;
    ctx.emit(o);
  }
}

/** Wire text made fit to keep: control characters and padding NULs dropped, trimmed, clipped. */
export function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return clip(s.replace(/[\u0000-\u001f\u007f]/g, '').trim());
}

export function hex(v: number, digits: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(digits, '0');
}

/**
 * Per-flow "already said" memory: roles and attributes are stated once per flow, not per packet.
 * Bounded: past `max` keys nothing new is remembered (and nothing more is emitted for that flow).
 */
export class OnceSet {
  private readonly seen = new Set<string | number>();
  constructor(private readonly max = 64) {}

  /** True the first time `key` is offered (while there is room). Numbers spare a string per packet. */
  first(key: string | number): boolean {
    if (this.seen.has(key) || this.seen.size >= this.max) return false;
    this.seen.add(key);
    return true;
  }
}
