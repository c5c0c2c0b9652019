/**
 * ArcSight Common Event Format (CEF:0), as Microsoft Sentinel's CEF connector reads it:
 * `CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|Extension`. Header fields escape `\` and
 * `|`; extension values escape `\`, `=` and line breaks (`\n`, `\r` as two characters). Other
 * control characters from the wire become spaces, and every value is clipped, so a hostile host
 * name can neither end the line nor forge a key.
 */
import type { Severity } from '../alerts/severity';
import { reportedBy, type ForwardEvent, type Origin } from './events';

/** ArcSight's 0-10 scale: 0-3 low, 4-6 medium, 7-8 high, 9-10 very high. */
export const CEF_SEVERITY: Record<Severity, number> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };

/** The dictionary's longest string fields hold 1023 characters (msg, shost); clip there. */
const MAX_VALUE = 1023;

export function cefHeaderEscape(s: string): string {
  return clean(s).replace(/[\\|]/g, (c) => '\\' + c);
}

export function cefValueEscape(s: string): string {
  return clip(s)
    .replace(/[\\=]/g, (c) => '\\' + c)
    .replace(/\r\n|\n|\r/g, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : '\\r\\n'))
    .replace(CONTROLS, ' ');
}

export function toCef(e: ForwardEvent, origin: Origin): string {
  const ext: [string, string | number | undefined][] = [];
  const d = e.device;
  const by = reportedBy(e, origin);
  const v4 = d?.ips.find((ip) => ip.includes('.'));
  const v6 = d?.ips.find((ip) => ip.includes(':'));
  ext.push(['rt', Date.parse(e.time) || 0]);
  ext.push(['externalId', e.id]);
  ext.push(['cat', e.signature.cat]);
  ext.push(['act', e.kind]);
  ext.push(['dvchost', by.sensor ?? origin.host]);
  ext.push(['msg', e.message]);
  if (d !== null) {
    ext.push(['src', v4]);
    ext.push(['c6a2', v6], ['c6a2Label', v6 !== undefined ? 'sourceIPv6' : undefined]);
    ext.push(['smac', d.mac]);
    ext.push(['shost', d.hostname]);
    custom(ext, 'cs1', 'vendor', d.vendor);
    custom(ext, 'cs2', 'type', d.type);
    custom(ext, 'cs3', 'model', d.model);
    custom(ext, 'cs4', 'os', d.os);
    custom(ext, 'cs5', 'firmware', d.firmware);
    custom(ext, 'cs6', 'deviceId', d.id);
    custom(ext, 'cn1', 'ipCount', d.ips.length);
  }
  if (e.alert !== undefined) custom(ext, 'flexString1', 'alertId', e.alert.id);
  if (e.changes !== undefined) ext.push(['reason', e.changes.map((c) => c.attribute).join(' ')]);
  if (e.notSeen !== undefined && d !== null) {
    // `end`: the last sighting (a dictionary timestamp); cn2: the silence that raised the event.
    ext.push(['end', Date.parse(d.lastSeen) || 0]);
    custom(ext, 'cn2', 'notSeenSeconds', e.notSeen.afterSeconds);
  }
  if (e.snapshot !== undefined) {
    // The dictionary has cs1-cs6 and cn1-cn3 only: the snapshot takes the flex fields alerts use.
    custom(ext, 'flexString1', 'snapshotId', e.snapshot.id);
    custom(ext, 'flexNumber1', 'snapshotIndex', e.snapshot.index);
    custom(ext, 'flexNumber2', 'snapshotCount', e.snapshot.count);
  }
  custom(ext, 'flexString2', 'site', by.site);
  const header = [
    'CEF:0',
    'Glasspane',
    'Glasspane',
    origin.version,
    e.signature.id,
    e.signature.name,
    String(CEF_SEVERITY[e.severity]),
  ].map((h, i) => (i === 0 ? h : cefHeaderEscape(h)));
  const body = ext
    .filter((p): p is [string, string | number] => p[1] !== undefined && p[1] !== '')
    .map(([k, v]) => `${k}=${typeof v === 'number' ? String(v) : cefValueEscape(v)}`)
    .join(' ');
  return header.join('|') + '|' + body;
}

/** A custom field and its label, both or neither. */
function custom(
  ext: [string, string | number | undefined][],
  key: string,
  lbl: string,
  v: string | number | undefined,
) {
  if (v === undefined || v === '') return;
  ext.push([key, v], [key + 'Label', lbl]);
}

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Header fields are single-line: every control character becomes a space. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return clip(s).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

/** At most MAX_VALUE code units, never cutting a surrogate pair in half. */
export function clip(s: string, max = MAX_VALUE): string {
  if (s.length <= max) return s;
  const end = /[\ud800-\udbff]/.test(s[max - 1]!) ? max - 1 : max;
  return s.slice(0, end);
}
