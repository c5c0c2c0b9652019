/**
 * Rows for Azure Monitor's Logs Ingestion API (what Microsoft Sentinel reads): one flat object per
 * event whose columns the data collection rule's stream declares (docs/forwarding.md lists them).
 * Microsoft caps a field at 64 KB: longer strings are cut on a UTF-8 boundary, longer arrays lose
 * their tail, and the row says how many fields were cut.
 */
import type { ForwardEvent, Origin } from './events';

/** 64 KB per field value, as the Logs Ingestion API limits it. */
export const MAX_FIELD_BYTES = 64 * 1024;

/** A row stays under a quarter of the 1 MB call, so batches pack and no row is ever refused for size. */
export const MAX_ROW_BYTES = 256 * 1024;

const enc = new TextEncoder();

function bytes(s: string): number {
  return enc.encode(s).length;
}

/** `s` cut to at most `max` UTF-8 bytes, never inside a character. */
function cut(s: string, max: number): string {
  if (bytes(s) <= max) return s;
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bytes(s.slice(0, mid)) <= max) lo = mid;
    else hi = mid - 1;
  }
  // Do not leave half of a surrogate pair.
  if (lo > 0 && /[\uD800-\uDBFF]/.test(s[lo - 1]!)) lo--;
  return s.slice(0, lo);
}

export function toIngestionRow(e: ForwardEvent, origin: Origin): { row: string; truncated: number } {
  const d = e.device;
  const row: Record<string, unknown> = {
    TimeGenerated: e.time,
    EventId: e.id,
    Kind: e.kind,
    Severity: e.severity,
    SignatureId: e.signature.id,
    SignatureName: e.signature.name,
    Category: e.signature.cat,
    Message: e.message,
    Sensor: d?.sensor ?? origin.sensor ?? origin.host ?? null,
    Site: d?.site ?? origin.site ?? null,
    DeviceId: d?.id ?? null,
    Mac: d?.mac ?? null,
    IPs: d?.ips ?? [],
    Hostname: d?.hostname ?? null,
    Vendor: d?.vendor ?? null,
    DeviceCategory: d?.category ?? null,
    DeviceType: d?.type ?? null,
    Model: d?.model ?? null,
    OS: d?.os ?? null,
    Firmware: d?.firmware ?? null,
    FirstSeen: d?.firstSeen ?? null,
    LastSeen: d?.lastSeen ?? null,
    AlertId: e.alert?.id ?? null,
    Changes: e.changes ?? [],
  };
  let truncated = 0;
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'string' && bytes(v) > MAX_FIELD_BYTES) {
      row[k] = cut(v, MAX_FIELD_BYTES);
      truncated++;
    } else if (Array.isArray(v) && bytes(JSON.stringify(v)) > MAX_FIELD_BYTES) {
      const a = [...(v as unknown[])];
      while (a.length > 0 && bytes(JSON.stringify(a)) > MAX_FIELD_BYTES)
        a.length = Math.floor(a.length * 0.9);
      row[k] = a;
      truncated++;
    }
  }
  // A call carries at most 1 MB, so one row must fit in much less: the longest texts give way.
  while (bytes(JSON.stringify(row)) > MAX_ROW_BYTES) {
    let longest = '';
    for (const [k, v] of Object.entries(row))
      if (typeof v === 'string' && (longest === '' || v.length > (row[longest] as string).length))
        longest = k;
    const v = row[longest] as string;
    if (longest === '' || v.length < 64) break;
    row[longest] = cut(v, Math.floor(bytes(v) / 2));
    truncated++;
  }
  if (truncated > 0) row.TruncatedFields = truncated;
  return { row: JSON.stringify(row), truncated };
}
