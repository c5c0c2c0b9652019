import type { InventoryLimits } from '../../shared/inventory/limits';
import { UsageError } from './output';

export interface LimitFlags {
  maxDevices?: string;
  maxEdges?: string;
}

/** A count from a flag: a whole number, 1 or more (1_000_000 and 1e6 are refused: say it plainly). */
export function count(flag: string, v: string, example = 100000): number {
  const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`${flag} '${v}' is not a whole number of 1 or more: use e.g. ${flag} ${example}`);
  return n;
}

/**
 * The inventory's limits from `--max-devices` (devices with a MAC, and devices known by address
 * alone, each) and `--max-edges`; the defaults for flags not given.
 */
export function parseLimits(o: LimitFlags): Partial<InventoryLimits> {
  const out: Partial<InventoryLimits> = {};
  if (o.maxDevices !== undefined) {
    const n = count('--max-devices', o.maxDevices);
    out.maxDevices = n;
    out.maxAddressDevices = n;
    // A few /64 aggregates per device kept, as many as the default allows at most.
    out.maxAggregates = Math.min(4096, Math.max(16, Math.ceil(n / 16)));
  }
  if (o.maxEdges !== undefined) out.maxEdges = count('--max-edges', o.maxEdges);
  return out;
}
