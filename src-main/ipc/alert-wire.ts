/**
 * Alerts and timeline entries as the contract carries them. The alert rules and the store build
 * strings from network data (hostnames, firmware versions, OT event details) that may run past the
 * contract's limits; a value the UI would reject must not cost it the whole answer, so they are cut
 * to fit here, the same way every time (an alert keeps one id across events, listAlerts and runs).
 */
import type { Alert, TimelineEntry } from '../../shared/ipc/contract';
import { IPC_LIMITS as L } from '../../shared/ipc/limits';
import type { AlertJson } from '../../shared/model/alert';
import type { TimelineEntry as StoredTimelineEntry } from '../store/types';

const clip = (s: string, n: number) => (s.length <= n ? s : s.slice(0, n));

/** FNV-1a, 32 bits: a short, stable suffix for ids cut to the limit (not a security measure). */
function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** An identifier within the limit: long ones keep their start and a hash of the whole. */
export function fitId(s: string): string {
  if (s.length === 0) return '-';
  return s.length <= L.id ? s : s.slice(0, L.id - 9) + '#' + fnv(s);
}

export function toWireAlert(a: AlertJson): Alert {
  const detail: Alert['detail'] = {};
  let n = 0;
  for (const [k, v] of Object.entries(a.detail)) {
    if (n++ >= L.detail) break;
    detail[clip(k, L.id)] =
      typeof v === 'string' ? clip(v, L.text) : typeof v === 'number' && !Number.isFinite(v) ? null : v;
  }
  return {
    id: fitId(a.id),
    at: clip(a.at, 64),
    severity: a.severity,
    kind: fitId(a.kind),
    deviceId: a.deviceId === null ? null : fitId(a.deviceId),
    message: clip(a.message, L.text),
    detail,
  };
}

export function toWireTimelineEntry(t: StoredTimelineEntry): TimelineEntry {
  return {
    deviceId: fitId(t.deviceId),
    at: clip(t.at, 64),
    field: fitId(t.field),
    old: t.old === null ? null : clip(t.old, L.text),
    new: t.new === null ? null : clip(t.new, L.text),
    source: t.source,
  };
}
