/**
 * Elastic Common Schema documents: device events are assets (`event.kind: asset`) and alerts are
 * `event.kind: alert`; the device is `host.*` with `host.mac` as uppercase hyphen-separated pairs,
 * as ECS asks; Glasspane is the `observer` (type sensor). Fields ECS lacks go under `glasspane.*`.
 */
import { CEF_SEVERITY } from './cef';
import { reportedBy, type ForwardEvent, type Origin } from './events';

/** "aa:bb:cc:dd:ee:ff" -> "AA-BB-CC-DD-EE-FF". */
export function ecsMac(mac: string): string {
  return mac.toUpperCase().replace(/[:.]/g, '-');
}

export function toEcs(e: ForwardEvent, origin: Origin): Record<string, unknown> {
  const d = e.device;
  const by = reportedBy(e, origin);
  const doc: Record<string, unknown> = {
    '@timestamp': e.time,
    ecs: { version: '8.11.0' },
    message: e.message,
    event: {
      id: e.id,
      kind: e.kind === 'alert' ? 'alert' : 'asset',
      category: e.kind === 'alert' ? ['intrusion_detection'] : ['host'],
      // ECS's host category allows access, change, end, info, start: a silence is an `end`.
      type: e.kind === 'changed' ? ['change'] : e.kind === 'not-seen' ? ['end'] : ['info'],
      action: e.kind,
      code: e.signature.id,
      dataset: 'glasspane.' + (e.kind === 'alert' ? 'alert' : 'device'),
      module: 'glasspane',
      // Numeric and source-defined in ECS: CEF's 0-10, so both read alike.
      severity: CEF_SEVERITY[e.severity],
    },
    observer: {
      type: 'sensor',
      vendor: 'Glasspane',
      product: 'Glasspane',
      version: origin.version,
      ...(by.sensor !== undefined || origin.host !== undefined
        ? { name: by.sensor ?? origin.host, hostname: origin.host }
        : {}),
    },
  };
  if (d !== null) {
    const host: Record<string, unknown> = { id: d.id, ip: d.ips };
    if (d.mac !== undefined) host.mac = [ecsMac(d.mac)];
    if (d.hostname !== undefined) host.name = host.hostname = d.hostname;
    if (d.type !== undefined) host.type = d.type;
    if (d.os !== undefined) host.os = { name: d.os };
    doc.host = host;
    const gp: Record<string, unknown> = { device: { firstSeen: d.firstSeen, lastSeen: d.lastSeen } };
    for (const k of ['vendor', 'category', 'model', 'firmware', 'serial'] as const)
      if (d[k] !== undefined) (gp.device as Record<string, unknown>)[k] = d[k];
    doc.glasspane = gp;
  }
  if (e.alert !== undefined) {
    doc.rule = { id: e.signature.id, name: e.signature.name, category: e.alert.kind };
    ((doc.glasspane ??= {}) as Record<string, unknown>).alertId = e.alert.id;
  }
  if (e.changes !== undefined) ((doc.glasspane ??= {}) as Record<string, unknown>).changes = e.changes;
  if (e.notSeen !== undefined) ((doc.glasspane ??= {}) as Record<string, unknown>).notSeen = e.notSeen;
  if (e.snapshot !== undefined) ((doc.glasspane ??= {}) as Record<string, unknown>).snapshot = e.snapshot;
  if (by.site !== undefined) ((doc.glasspane ??= {}) as Record<string, unknown>).site = by.site;
  return doc;
}
