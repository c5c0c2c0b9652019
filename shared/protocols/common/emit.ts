import type { Packet } from '../../decode/packet';
import type {
  DeviceRef,
  EventFacts,
  IdentityAttribute,
  Observation,
  ObservationKind,
} from '../../model/observation';
import { clip } from '../../model/observation';
import type { AppContext, Vocabulary } from '../contract';
import { dstIsGroup, endRef, peerOf, type End } from './refs';
import { cleanText } from './text';

/** A declared name as a type: each `*` stands for any text (`txt.*` is `txt.${string}`). */
type Glob<S extends string> = S extends `${infer A}*${infer B}` ? `${A}${string}${Glob<B>}` : S;

/** The fields a declaration names (`string` for an undeclared, widened Vocabulary). */
export type FieldOf<V extends Vocabulary> = Glob<V['fields'][number]>;

/** The keys of one observation kind a declaration names; none when it names none of that kind. */
export type KeyOf<V extends Vocabulary, K extends ObservationKind> =
  NonNullable<V['keys']> extends { readonly [P in K]?: infer L }
    ? L extends readonly (infer X extends string)[]
      ? Glob<X>
      : never
    : never;

/**
 * An emitter nobody declared for: it can state nothing, so every dissector names its declaration
 * (`new Emitter<typeof VOCABULARY>('cdp')`).
 */
interface Undeclared {
  readonly fields: readonly never[];
}

/**
 * Whom a fact is about, and which field of the protocol said it: an end of the packet (`end`), or a
 * device named inside the payload (`device`: a DHCP client by its chaddr, an address from an answer).
 * A fact about `end: 'dst'` is dropped when the receiver is a group (broadcast, multicast).
 */
export type About<F extends string = string> = { field: F } & (
  { end: End; device?: never } | { device: DeviceRef; end?: never }
);

/** Where observations go: a dissector's context, or any other collector (the SYN observers'). */
export type Sink = Pick<AppContext, 'emit'>;

/** The peer of a role or event: a device, none (`null`), or by default the packet's other end. */
interface WithPeer {
  peer?: DeviceRef | null;
}

/**
 * One emitter per protocol name, with named arguments: every dissector states facts the same way, so
 * the DeviceRef, frame and time are filled in one place and free wire text (identity values,
 * attributes, software, findings) is cleaned and clipped here. `V` is the protocol's declaration
 * (its vocabulary, `as const`): a field, event, role, attribute key, identity attribute, service,
 * finding or fingerprint scheme the declaration does not name fails to compile.
 */
export class Emitter<V extends Vocabulary = Undeclared> {
  constructor(readonly protocol: string) {}

  /** An identity attribute the device states; empty text says nothing. */
  identity(
    ctx: Sink,
    p: Packet,
    a: About<FieldOf<V>> & { attr: IdentityAttribute & KeyOf<V, 'identity'>; value: string },
  ): void {
    const device = this.device(p, a);
    if (device === null) return;
    const v = cleanText(a.value);
    if (v === '') return;
    this.send(ctx, {
      kind: 'identity',
      attr: a.attr,
      value: v,
      device,
      protocol: this.protocol,
      field: a.field,
      frame: p.frame,
      ts: p.ts,
    });
  }

  /**
   * Any other key/value the device announced. Empty text says nothing, unless the key's presence is
   * the fact (`keepEmpty`: a DNS-SD TXT key without a value is a boolean attribute, RFC 6763 6.4).
   */
  attribute(
    ctx: Sink,
    p: Packet,
    a: About<FieldOf<V>> & { key: KeyOf<V, 'attribute'>; value: string; keepEmpty?: boolean },
  ): void {
    const device = this.device(p, a);
    if (device === null) return;
    const v = cleanText(a.value);
    if (v === '' && a.keepEmpty !== true) return;
    this.send(ctx, {
      kind: 'attribute',
      key: a.key,
      value: v,
      device,
      protocol: this.protocol,
      field: a.field,
      frame: p.frame,
      ts: p.ts,
    });
  }

  /** A role the device plays, towards `peer` (by default the other end of the packet). */
  role(ctx: Sink, p: Packet, a: About<FieldOf<V>> & WithPeer & { role: KeyOf<V, 'role'> }): void {
    const device = this.device(p, a);
    if (device === null) return;
    const peer = this.peer(p, a);
    this.send(ctx, {
      kind: 'role',
      role: a.role,
      peer,
      device,
      protocol: this.protocol,
      field: a.field,
      frame: p.frame,
      ts: p.ts,
    });
  }

  /**
   * An event done BY the device (the actor) TO its peer, or stated by a device itself: what happened
   * and its facts. How urgent it is and how it reads are the alert policy's, not the parser's.
   */
  event(
    ctx: Sink,
    p: Packet,
    a: About<FieldOf<V>> & WithPeer & { event: KeyOf<V, 'event'>; facts?: EventFacts },
  ): void {
    const device = this.device(p, a);
    if (device === null) return;
    const peer = this.peer(p, a);
    const kept: Record<string, string | number> = {};
    const facts = a.facts ?? {};
    for (const k in facts) {
      const v = facts[k]!;
      kept[k] = typeof v === 'string' ? clip(v) : v;
    }
    this.send(ctx, {
      kind: 'event',
      event: a.event,
      facts: kept,
      peer,
      device,
      protocol: this.protocol,
      field: a.field,
      frame: p.frame,
      ts: p.ts,
    });
  }

  service(
    ctx: Sink,
    p: Packet,
    a: About<FieldOf<V>> & { transport: 'tcp' | 'udp' | 'l2'; port: number; name: KeyOf<V, 'service'> },
  ): void {
    const device = this.device(p, a);
    if (device === null) return;
    this.send(ctx, {
      kind: 'service',
      transport: a.transport,
      port: a.port,
      name: a.name,
      device,
      protocol: this.protocol,
      field: a.field,
      frame: p.frame,
      ts: p.ts,
    });
  }

  /** Software heard from the device; `raw` defaults to product and version joined. */
  software(
    ctx: Sink,
    p: Packet,
    a: About<FieldOf<V>> & { product: string; version: string | null; raw?: string },
  ): void {
    const device = this.device(p, a);
    if (device === null) return;
    const prod = cleanText(a.product);
    if (prod === '') return;
    const ver = a.version === null ? null : cleanText(a.version) || null;
    this.send(ctx, {
      kind: 'software',
      product: prod,
      version: ver,
      raw: clip(a.raw ?? (ver === null ? prod : prod + ' ' + ver)),
      device,
      protocol: this.protocol,
      field: a.field,
      frame: p.frame,
      ts: p.ts,
    });
  }

  finding(
    ctx: Sink,
    p: Packet,
    a: About<FieldOf<V>> & { finding: KeyOf<V, 'finding'>; detail: string },
  ): void {
    const device = this.device(p, a);
    if (device === null) return;
    this.send(ctx, {
      kind: 'finding',
      finding: a.finding,
      detail: clip(a.detail),
      device,
      protocol: this.protocol,
      field: a.field,
      frame: p.frame,
      ts: p.ts,
    });
  }

  /** A name the device uses for itself (the caller cleans it: names have their own rules). */
  hostname(ctx: Sink, p: Packet, a: About<FieldOf<V>> & { name: string }): void {
    const device = this.device(p, a);
    if (device === null) return;
    this.send(ctx, {
      kind: 'hostname',
      name: a.name,
      device,
      protocol: this.protocol,
      field: a.field,
      frame: p.frame,
      ts: p.ts,
    });
  }

  /** A name the device asked about. */
  nameQuery(ctx: Sink, p: Packet, a: About<FieldOf<V>> & { name: string }): void {
    const device = this.device(p, a);
    if (device === null) return;
    this.send(ctx, {
      kind: 'name-query',
      name: a.name,
      device,
      protocol: this.protocol,
      field: a.field,
      frame: p.frame,
      ts: p.ts,
    });
  }

  /** A name-to-address binding, about the owner of the address. */
  address(ctx: Sink, p: Packet, a: About<FieldOf<V>> & { ip: string; name: string | null }): void {
    const device = this.device(p, a);
    if (device === null) return;
    this.send(ctx, {
      kind: 'address',
      ip: a.ip,
      name: a.name,
      device,
      protocol: this.protocol,
      field: a.field,
      frame: p.frame,
      ts: p.ts,
    });
  }

  fingerprint(
    ctx: Sink,
    p: Packet,
    a: About<FieldOf<V>> & { scheme: KeyOf<V, 'fingerprint'>; value: string },
  ): void {
    const device = this.device(p, a);
    if (device === null) return;
    this.send(ctx, {
      kind: 'fingerprint',
      scheme: a.scheme,
      value: a.value,
      device,
      protocol: this.protocol,
      field: a.field,
      frame: p.frame,
      ts: p.ts,
    });
  }

  neighbor(
    ctx: Sink,
    p: Packet,
    a: About<FieldOf<V>> & {
      chassisId: string;
      portId: string | null;
      portDescription: string | null;
      vlan: number | null;
    },
  ): void {
    const device = this.device(p, a);
    if (device === null) return;
    this.send(ctx, {
      kind: 'neighbor',
      chassisId: a.chassisId,
      portId: a.portId,
      portDescription: a.portDescription,
      vlan: a.vlan,
      device,
      protocol: this.protocol,
      field: a.field,
      frame: p.frame,
      ts: p.ts,
    });
  }

  private device(p: Packet, a: About): DeviceRef | null {
    if (a.device !== undefined) return a.device;
    if (a.end === 'dst' && dstIsGroup(p)) return null;
    return endRef(p, a.end);
  }

  private peer(p: Packet, a: About & WithPeer): DeviceRef | null {
    if (a.peer !== undefined) return a.peer;
    return a.end !== undefined ? peerOf(p, a.end) : null;
  }

  private send(ctx: Sink, o: Observation): void {
    // Facts are about devices: a broadcast or multicast receiver is not one.
    if (o.device.mac === null && o.device.ip === null) return;
    ctx.emit(o);
  }
}
