/** The dashboard's numbers, pure: top values of a device field, and new devices per time bucket. */
import type { DeviceJson } from '../../shared/model/inventory';

export interface Bar {
  label: string;
  count: number;
  /** The grid filter that leaves exactly these devices ("=value", "=" for unknown); null for "other". */
  filter: string | null;
}

export const UNKNOWN_LABEL = '(unknown)';
export const OTHER_LABEL = 'other';

/** The `n` most common values of a field, most common first, and the rest summed as "other". */
export function topCounts(
  devices: readonly DeviceJson[],
  field: (d: DeviceJson) => string | null,
  n = 10,
): Bar[] {
  const by = new Map<string | null, number>();
  for (const d of devices) {
    const v = field(d);
    const k = v === null || v === '' ? null : v;
    by.set(k, (by.get(k) ?? 0) + 1);
  }
  const sorted = [...by].sort((a, b) => b[1] - a[1] || String(a[0] ?? '').localeCompare(String(b[0] ?? '')));
  const bars: Bar[] = sorted.slice(0, n).map(([k, count]) => ({
    label: k ?? UNKNOWN_LABEL,
    count,
    filter: k === null ? '=' : `=${k}`,
  }));
  const rest = sorted.slice(n).reduce((sum, [, c]) => sum + c, 0);
  if (rest > 0) bars.push({ label: OTHER_LABEL, count: rest, filter: null });
  return bars;
}

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;
const NICE = [
  S,
  5 * S,
  10 * S,
  30 * S,
  MIN,
  5 * MIN,
  10 * MIN,
  15 * MIN,
  30 * MIN,
  H,
  3 * H,
  6 * H,
  12 * H,
  D,
  7 * D,
  30 * D,
];

export interface TimeBuckets {
  /** Start of each bucket, epoch ms. */
  starts: number[];
  counts: number[];
  bucketMs: number;
}

/** Devices by when they were first seen, in at most about `maxBuckets` buckets of a round size. */
export function newDevicesOverTime(devices: readonly DeviceJson[], maxBuckets = 40): TimeBuckets {
  const times: number[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const d of devices) {
    const t = Date.parse(d.firstSeen);
    if (Number.isNaN(t)) continue;
    times.push(t);
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (times.length === 0) return { starts: [], counts: [], bucketMs: S };
  const span = hi - lo;
  const bucketMs = NICE.find((b) => span / b < maxBuckets) ?? Math.ceil(span / maxBuckets);
  const first = Math.floor(lo / bucketMs) * bucketMs;
  const n = Math.floor((hi - first) / bucketMs) + 1;
  const counts = new Array<number>(n).fill(0);
  for (const t of times) counts[Math.floor((t - first) / bucketMs)]!++;
  return { starts: counts.map((_, i) => first + i * bucketMs), counts, bucketMs };
}

/** A bucket's label: as precise as the bucket size needs, in local time. */
export function bucketLabel(start: number, bucketMs: number): string {
  const d = new Date(start);
  const p = (x: number) => String(x).padStart(2, '0');
  const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  if (bucketMs >= D) return day;
  if (bucketMs >= MIN) return `${day.slice(5)} ${hm}`;
  return `${hm}:${p(d.getSeconds())}`;
}
