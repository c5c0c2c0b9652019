import type { IdentityAttribute, Observation } from '../model/observation';
import type { EvidenceJson } from '../model/inventory';

/** Distinct facts kept per device: enough for any real device, bounded against floods. */
const MAX_FACTS = 512;

export interface Fact {
  kind: string;
  protocol: string;
  field: string;
  value: string;
  firstFrame: number;
  first: number;
  last: number;
  count: number;
  /** The observation as first heard (for rules and the UI's "why"). */
  obs: Observation;
}

/** The value an observation states, as one display string. */
export function observationValue(o: Observation): string {
  switch (o.kind) {
    case 'hostname':
    case 'name-query':
      return o.name;
    case 'address':
      return o.name === null ? o.ip : `${o.name} = ${o.ip}`;
    case 'identity':
      return `${o.attr}=${o.value}`;
    case 'software':
      return o.raw;
    case 'fingerprint':
      return `${o.scheme}:${o.value}`;
    case 'role':
      return o.role;
    case 'service':
      return `${o.name} ${o.transport}/${o.port}`;
    case 'attribute':
      return `${o.key}=${o.value}`;
    case 'neighbor':
      return `${o.chassisId}${o.portId === null ? '' : ' port ' + o.portId}`;
    case 'event':
      return `${o.event}: ${o.detail}`;
    case 'finding':
      return `${o.finding}: ${o.detail}`;
  }
}

/**
 * A device's observations, deduplicated by (kind, protocol, field, value) with counts and first/last
 * times. Later issues' classification reads `facts`; until then simple accessors pick values.
 */
export class Evidence {
  readonly facts = new Map<string, Fact>();
  dropped = 0;

  add(o: Observation): void {
    const value = observationValue(o);
    const key = o.kind + '\u0000' + o.protocol + '\u0000' + o.field + '\u0000' + value;
    const f = this.facts.get(key);
    if (f !== undefined) {
      f.count++;
      if (o.ts > f.last) f.last = o.ts;
      if (o.ts < f.first) f.first = o.ts;
      return;
    }
    if (this.facts.size >= MAX_FACTS) {
      this.dropped++;
      return;
    }
    this.facts.set(key, {
      kind: o.kind,
      protocol: o.protocol,
      field: o.field,
      value,
      firstFrame: o.frame,
      first: o.ts,
      last: o.ts,
      count: 1,
      obs: o,
    });
  }

  /** The most-heard own host name. */
  hostname(): string | null {
    let best: Fact | null = null;
    for (const f of this.facts.values())
      if (f.kind === 'hostname' && (best === null || f.count > best.count)) best = f;
    return best === null ? null : best.value;
  }

  hostnames(): { name: string; source: string }[] {
    const out: { name: string; source: string }[] = [];
    for (const f of this.facts.values())
      if (f.kind === 'hostname') out.push({ name: f.value, source: `${f.protocol}.${f.field}` });
    return out;
  }

  identity(attr: IdentityAttribute): string | null {
    let best: Fact | null = null;
    for (const f of this.facts.values()) {
      if (f.obs.kind === 'identity' && f.obs.attr === attr && (best === null || f.count > best.count))
        best = f;
    }
    return best !== null && best.obs.kind === 'identity' ? best.obs.value : null;
  }

  roles(): string[] {
    const out = new Set<string>();
    for (const f of this.facts.values()) if (f.obs.kind === 'role') out.add(f.obs.role);
    return [...out].sort();
  }

  list(): EvidenceJson[] {
    return [...this.facts.values()].map((f) => ({
      kind: f.kind,
      protocol: f.protocol,
      field: f.field,
      value: f.value,
      firstFrame: f.firstFrame,
      firstSeen: new Date(Number.isFinite(f.first) ? f.first : 0).toISOString(),
      lastSeen: new Date(Number.isFinite(f.last) ? f.last : 0).toISOString(),
      count: f.count,
    }));
  }
}
