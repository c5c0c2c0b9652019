/** The stats of a merged inventory: each source's decode counters (the newest it sent), added up. */
import { byName, emptyStats } from '../decode/stats';
import type { InventoryStats } from '../model/inventory';
import { isoTime } from '../util/time';
import type { LimitStats } from './limits';
import { maxT, minT } from './partial-merge';
import type { PartialInventory } from './partial-types';

/** Counts by a name a partial gave: no name reaches the object's prototype. */
function addCount(r: Record<string, number>, k: string, n: number): void {
  if (k === '__proto__') return;
  r[k] = (Object.hasOwn(r, k) ? r[k]! : 0) + n;
}

export function statsOf(p: PartialInventory, devices: number, edges: number): InventoryStats {
  const s = emptyStats();
  let observations = 0;
  let first: number | null = null;
  let last: number | null = null;
  const files: InventoryStats['sources'] = [];
  let limits: LimitStats | undefined;
  const unknown: Record<string, number> = {};
  for (const { stats: x } of p.sources) {
    s.packets += x.packets;
    s.bytes += x.bytes;
    s.malformed += x.malformed;
    s.snapTruncated += x.snapTruncated;
    s.laterFragments += x.laterFragments;
    s.unknownLinkType += x.unknownLinkType;
    s.dissectorErrors += x.dissectorErrors;
    s.repeats += x.repeats;
    s.retransmissions += x.retransmissions;
    s.badTimestamps += x.badTimestamps;
    for (const [k, n] of Object.entries(x.malformedBy)) addCount(s.malformedBy, k, n);
    for (const [k, n] of Object.entries(x.unknownLinkTypes ?? {})) addCount(unknown, k, n);
    observations += x.observations;
    first = minT(first, x.first);
    last = maxT(last, x.last);
    for (const f of x.files) files.push({ ...f, warnings: [...f.warnings] });
    if (x.limits !== undefined) limits = addLimits(limits, x.limits);
  }
  if (Object.keys(unknown).length > 0) s.unknownLinkTypes = unknown;
  s.malformedBy = byName(s.malformedBy);
  return {
    ...s,
    observations,
    devices,
    edges,
    firstSeen: first === null ? null : isoTime(first),
    lastSeen: last === null ? null : isoTime(last),
    sources: files,
    ...(limits !== undefined ? { limits } : {}),
  };
}

/** Sources' limit counters summed; floods named once each. */
function addLimits(a: LimitStats | undefined, b: LimitStats): LimitStats {
  if (a === undefined) return { ...b, floods: [...b.floods] };
  return {
    devicesAggregated: a.devicesAggregated + b.devicesAggregated,
    addressesAggregated: a.addressesAggregated + b.addressesAggregated,
    aggregates: a.aggregates + b.aggregates,
    edgesEvicted: a.edgesEvicted + b.edgesEvicted,
    factsDropped: a.factsDropped + b.factsDropped,
    tableEntriesDropped: a.tableEntriesDropped + b.tableEntriesDropped,
    floods: [...new Set([...a.floods, ...b.floods])],
  };
}
