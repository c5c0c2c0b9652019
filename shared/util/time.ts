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
  return isoText(ts);
}

/** As isoTime, but null for a missing or non-finite time and for one outside 1970..9999. */
export function isoTimeOrNull(ts: number | null): string | null {
  return ts !== null && isCaptureTime(ts) ? isoText(ts) : null;
}

/**
 * toISOString's text for a time in 0..MAX_TIME_MS, by arithmetic: a Date and its formatting cost
 * 43 ms per 100k calls cold, and the end of a run formats two or more times per device. The date is
 * Howard Hinnant's civil_from_days (proleptic Gregorian, as a Date's); a fraction of a millisecond is
 * dropped, as a Date drops it.
 */
function isoText(ts: number): string {
  const ms = Math.floor(ts);
  const days = Math.floor(ms / 86_400_000);
  let rem = ms - days * 86_400_000;
  // Days since 0000-03-01, in 400-year eras (146097 days): all times here are in era 4 or later.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const mi = Math.floor(rem / 60_000);
  rem -= mi * 60_000;
  const sec = Math.floor(rem / 1000);
  const milli = rem - sec * 1000;
  // One flat string from its character codes (48 is '0'): a template literal of the parts made a dozen
  // intermediate strings a call (4 MB sampled for the bench capture's 1,151 devices, a Date 1.4 MB).
  // Years 1970..9999: always four digits.
  return String.fromCharCode(
    48 + Math.floor(year / 1000),
    48 + (Math.floor(year / 100) % 10),
    48 + (Math.floor(year / 10) % 10),
    48 + (year % 10),
    45,
    48 + Math.floor(month / 10),
    48 + (month % 10),
    45,
    48 + Math.floor(day / 10),
    48 + (day % 10),
    84,
    48 + Math.floor(h / 10),
    48 + (h % 10),
    58,
    48 + Math.floor(mi / 10),
    48 + (mi % 10),
    58,
    48 + Math.floor(sec / 10),
    48 + (sec % 10),
    46,
    48 + Math.floor(milli / 100),
    48 + (Math.floor(milli / 10) % 10),
    48 + (milli % 10),
    90,
  );
}
