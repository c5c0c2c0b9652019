/**
 * A delta cut into messages that fit the broker's payload limit (1 MB by default). Each piece is a
 * partial inventory of its own, with the sources' counters in every piece: merging is per source
 * and idempotent, so the pieces merge to the whole in any order.
 */
import type { PartialInventory } from '../inventory/partial-types';

/** Pieces aim at this many bytes of JSON (one device larger than that goes alone). */
export const CHUNK_BYTES = 256 * 1024;

type Part = 'devices' | 'edges' | 'dns' | 'edits' | 'hearsay';

/** True when the partial holds nothing but its sources' counters. */
export function isEmptyPartial(p: PartialInventory): boolean {
  return (
    p.devices.length === 0 &&
    p.edges.length === 0 &&
    p.dns.length === 0 &&
    p.edits.length === 0 &&
    (p.hearsay?.length ?? 0) === 0
  );
}

export function splitPartial(p: PartialInventory, maxBytes = CHUNK_BYTES): PartialInventory[] {
  const head = (): PartialInventory => {
    const { hearsay: _h, ...rest } = p;
    return { ...rest, devices: [], edges: [], dns: [], edits: [] };
  };
  const base = JSON.stringify(head()).length;
  const out: PartialInventory[] = [];
  let cur = head();
  let size = base;
  const add = <K extends Part>(k: K, item: NonNullable<PartialInventory[K]>[number]) => {
    const n = JSON.stringify(item).length + 1;
    if (size + n > maxBytes && !isEmptyPartial(cur)) {
      out.push(cur);
      cur = head();
      size = base;
    }
    ((cur[k] ??= []) as unknown[]).push(item);
    size += n;
  };
  for (const d of p.devices) add('devices', d);
  for (const e of p.edges) add('edges', e);
  for (const d of p.dns) add('dns', d);
  for (const e of p.edits) add('edits', e);
  for (const h of p.hearsay ?? []) add('hearsay', h);
  if (!isEmptyPartial(cur) || out.length === 0) out.push(cur);
  return out;
}
