/**
 * The sensor's delta: what changed in its analyzer since the last one, as a partial inventory of
 * this run's source (the partial API's own partialOf with a marker; each device and edge in it
 * carries its whole cumulative state, so resending or reordering deltas is harmless).
 */
import type { Analyzer } from '../../shared/engine/analyzer';
import { analyzerPartial } from '../../shared/engine/analyzer-partial';
import {
  partialMarker,
  type PartialInventory,
  type PartialMarker,
  type PartialSource,
} from '../../shared/inventory/partial';

export function partialDelta(
  a: Analyzer,
  source: PartialSource,
  l2domain: string | undefined,
  since: PartialMarker | undefined,
): { partial: PartialInventory; marker: PartialMarker } {
  const partial = analyzerPartial(a, source, { since, l2domain });
  return { partial, marker: partialMarker(a.inventory) };
}
