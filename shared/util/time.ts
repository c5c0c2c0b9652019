/**
 * Capture times (milliseconds since the epoch) as text. A pcapng timestamp is 64 bits in any
 * resolution plus any offset, so a frame can claim the year 586524 or a time before 1970; a Date
 * cannot hold most of that and `toISOString` throws on what it cannot hold. Every capture time that
 * leaves the engine is formatted here, so none can throw.
 */

/** 9999-12-31T23:59:59.999Z: the last instant with a four-digit ISO 8601 year, which every reader parses. */
export const MAX_TIME_MS = 253_402_300_799_999;

const EPOCH = '1970-01-01T00:00:00.000Z';
const MAX_ISO = '9999-12-31T23:59:59.999Z';

/** True for a time a capture can plausibly carry: 1970 up to the end of 9999 (false for NaN). */
export function isCaptureTime(ts: number): boolean {
  return ts >= 0 && ts <= MAX_TIME_MS;
}

/**
 * A capture time as ISO text. The epoch stands for none (0, NaN, ±Infinity, before 1970: what the
 * inventory has always shown for an unknown time, and Infinity is its "never seen"); later than
 * 9999 is clamped to the last instant of 9999.
 */
export function isoTime(ts: number): string {
  if (!(ts > 0) || ts === Infinity) return EPOCH;
  if (ts > MAX_TIME_MS) return MAX_ISO;
  return new Date(ts).toISOString();
}

/** As isoTime, but null for a missing or non-finite time and for one outside 1970..9999. */
export function isoTimeOrNull(ts: number | null): string | null {
  return ts !== null && isCaptureTime(ts) ? new Date(ts).toISOString() : null;
}
