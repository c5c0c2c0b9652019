import { UsageError } from './output';

/** "90s", "10m", "1h", "2d" (or "0") to milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(s.trim());
  if (m === null || (m[2] === undefined && Number(m[1]) !== 0))
    throw new UsageError(`'${s}' is not a duration: use e.g. 90s, 10m, 1h or 2d`);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Number(m[1]) * (units[m[2] ?? 'ms'] ?? 1);
}
