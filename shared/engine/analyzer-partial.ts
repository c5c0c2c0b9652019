/**
 * The partial inventory of what an analyzer knows (shared/inventory/partial.ts): its inventory and its
 * decode counters, for a sensor to publish or a worker to hand to the merge.
 */
import type { Analyzer } from './analyzer';
import {
  partialOf,
  type PartialInventory,
  type PartialOfOptions,
  type PartialSource,
  type PartialStats,
} from '../inventory/partial';

/** An analyzer's decode counters, as a partial carries them. */
export function partialStats(a: Analyzer): PartialStats {
  const s = a.stats();
  const time = (iso: string | null) => (iso === null ? null : Date.parse(iso));
  return {
    packets: s.packets,
    bytes: s.bytes,
    malformed: s.malformed,
    snapTruncated: s.snapTruncated,
    laterFragments: s.laterFragments,
    unknownLinkType: s.unknownLinkType,
    ...(s.unknownLinkTypes !== undefined ? { unknownLinkTypes: s.unknownLinkTypes } : {}),
    dissectorErrors: s.dissectorErrors,
    repeats: s.repeats,
    retransmissions: s.retransmissions,
    badTimestamps: s.badTimestamps,
    malformedBy: s.malformedBy,
    observations: s.observations,
    first: time(s.firstSeen),
    last: time(s.lastSeen),
    files: s.sources,
    ...(s.limits !== undefined ? { limits: s.limits } : {}),
  };
}

/** The partial of what an analyzer knows (its inventory and its counters). */
export function analyzerPartial(
  a: Analyzer,
  source: PartialSource,
  o: Omit<PartialOfOptions, 'stats'> = {},
): PartialInventory {
  return partialOf(a.inventory, source, { ...o, stats: partialStats(a) });
}
