/**
 * IBM QRadar's Log Event Extended Format, version 2.0:
 * `LEEF:2.0|Vendor|Product|Version|EventID|<delimiter>|key=value<delimiter>key=value...`. LEEF
 * defines no escaping, so the delimiter (`^`, declared in the header) and `|` in header fields are
 * replaced, and control characters become spaces: a value can never split into a forged key.
 * Keys are unique; `EventID` and `cat` come from the fixed signature table so QRadar's QID mapping
 * holds; `devTime` carries its `devTimeFormat`.
 */
import { reportedBy, type ForwardEvent, type Origin } from './events';
import { CEF_SEVERITY, clip } from './cef';

export const LEEF_DELIMITER = '^';
/** Java SimpleDateFormat pattern of devTime, as QRadar parses it. */
export const LEEF_TIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSZ";

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A value with neither the delimiter nor a line break in it. */
export function leefValue(s: string): string {
  return clip(s).replace(CONTROLS, ' ').split(LEEF_DELIMITER).join('_');
}

function leefHeader(s: string): string {
  return leefValue(s).replace(/\|/g, '_');
}

export function toLeef(e: ForwardEvent, origin: Origin): string {
  const attrs = new Map<string, string | number>();
  const put = (k: string, v: string | number | undefined) => {
    if (v === undefined || v === '' || attrs.has(k)) return;
    attrs.set(k, v);
  };
  const d = e.device;
  put('devTime', leefTime(e.time));
  put('devTimeFormat', LEEF_TIME_FORMAT);
  put('cat', e.signature.cat);
  // LEEF's sev is 1-10: the same scale as CEF's.
  put('sev', CEF_SEVERITY[e.severity]);
  put('externalId', e.id);
  put('action', e.kind);
  put('msg', e.message);
  const by = reportedBy(e, origin);
  put('site', by.site);
  put('sensor', by.sensor ?? origin.host);
  if (d !== null) {
    put('src', d.ips.find((ip) => ip.includes('.')) ?? d.ips[0]);
    put('srcMAC', d.mac);
    put('identHostName', d.hostname);
    put('deviceId', d.id);
    put('deviceVendor', d.vendor);
    put('deviceCategory', d.category);
    put('deviceType', d.type);
    put('deviceModel', d.model);
    put('deviceOS', d.os);
    put('deviceFirmware', d.firmware);
    put('deviceIPs', d.ips.join(' '));
  }
  if (e.alert !== undefined) {
    put('alertId', e.alert.id);
    put('alertKind', e.alert.kind);
  }
  if (e.changes !== undefined) put('changed', e.changes.map((c) => c.attribute).join(' '));
  if (e.notSeen !== undefined) {
    put('lastSeen', d !== null ? leefTime(d.lastSeen) : undefined);
    put('notSeenSeconds', e.notSeen.afterSeconds);
  }
  if (e.snapshot !== undefined) {
    put('snapshotId', e.snapshot.id);
    put('snapshotIndex', e.snapshot.index);
    put('snapshotCount', e.snapshot.count);
  }
  const header = ['LEEF:2.0', 'Glasspane', 'Glasspane', origin.version, e.signature.id]
    .map((h, i) => (i === 0 ? h : leefHeader(h)))
    .join('|');
  const body = [...attrs].map(([k, v]) => `${k}=${typeof v === 'number' ? v : leefValue(v)}`);
  return `${header}|${LEEF_DELIMITER}|${body.join(LEEF_DELIMITER)}`;
}

/** ISO 8601 UTC -> "2026-12-06T10:49:15.000+0000" (LEEF_TIME_FORMAT). */
function leefTime(iso: string): string {
  const t = Date.parse(iso);
  const s = new Date(Number.isFinite(t) ? t : 0).toISOString();
  return s.slice(0, 23) + '+0000';
}
