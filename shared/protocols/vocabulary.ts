import type { ObservationKind } from '../model/observation';
import type { AppProtocol, ProtocolGroup, Vocabulary } from './contract';

/** One protocol name as observations carry it, with the dissector that emits it. */
export interface Declared {
  /** The name observations carry (`pn_dcp`, `browser`, `gquic`, ...). */
  protocol: string;
  /** The dissector's own name (`profinet`, `nbdgm`, `quic`, ...). */
  app: string;
  group: ProtocolGroup;
  vocabulary: Vocabulary;
}

/** Every protocol name the dissectors emit, from their declarations (`extra`: SYN signatures). */
export function declaredProtocols(
  apps: readonly AppProtocol[],
  extra: readonly Declared[] = [],
): ReadonlyMap<string, Declared> {
  const m = new Map<string, Declared>();
  for (const a of apps)
    for (const [protocol, vocabulary] of Object.entries(a.emits))
      m.set(protocol, { protocol, app: a.name, group: a.group, vocabulary });
  for (const d of extra) m.set(d.protocol, d);
  return m;
}

/** Whether a declared name (`*` stands for any run of characters) covers `name`. */
export function covers(declared: string, name: string): boolean {
  if (!declared.includes('*')) return declared === name;
  const parts = declared.split('*');
  if (!name.startsWith(parts[0]!) || !name.endsWith(parts[parts.length - 1]!)) return false;
  let at = parts[0]!.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const k = name.indexOf(parts[i]!, at);
    if (k < 0) return false;
    at = k + parts[i]!.length;
  }
  return at <= name.length - parts[parts.length - 1]!.length;
}

export function declaresField(v: Vocabulary, field: string): boolean {
  return v.fields.some((d) => covers(d, field));
}

/** Keys of `kind` the vocabulary names; undefined when that kind carries no key rules could name. */
export function keysOf(v: Vocabulary, kind: ObservationKind): readonly string[] | undefined {
  return v.keys?.[kind];
}

export function declaresKey(v: Vocabulary, kind: ObservationKind, key: string): boolean {
  return (v.keys?.[kind] ?? []).some((d) => covers(d, key));
}
