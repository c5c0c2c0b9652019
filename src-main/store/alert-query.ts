import type Database from 'better-sqlite3';
import type { AlertJson } from '../../shared/model/alert';
import { severityRank, type Severity } from '../../shared/alerts/severity';

export interface AlertQuery {
  /** ISO time: alerts at or after it. */
  since?: string;
  /** Lowest severity to list. */
  severity?: Severity;
  kind?: string;
  deviceId?: string;
  limit?: number;
}

/** Stored alerts, oldest first. Works on a read-only connection too. */
export function queryAlerts(db: Database.Database, q: AlertQuery = {}): AlertJson[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const when = (clause: string, v: string | number) => {
    where.push(clause);
    args.push(v);
  };
  if (q.since !== undefined) when('at >= ?', q.since);
  if (q.severity !== undefined) when('rank >= ?', severityRank(q.severity));
  if (q.kind !== undefined) when('kind = ?', q.kind);
  if (q.deviceId !== undefined) when('device_id = ?', q.deviceId);
  const sql = `SELECT id, at, severity, kind, device_id, message, detail FROM alerts
    ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY at, seq, id LIMIT ?`;
  args.push(q.limit ?? 1_000_000);
  return (db.prepare(sql).all(...args) as Record<string, string | null>[]).map((r) => ({
    id: r.id!,
    at: r.at!,
    severity: r.severity as Severity,
    kind: r.kind!,
    deviceId: r.device_id ?? null,
    message: r.message!,
    detail: JSON.parse(r.detail!) as AlertJson['detail'],
  }));
}
