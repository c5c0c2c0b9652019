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
  /** Newest first (the UI's order) instead of oldest first (the CLI's). */
  newestFirst?: boolean;
}

function filters(q: AlertQuery): { sql: string; args: (string | number)[] } {
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
  return { sql: where.length > 0 ? 'WHERE ' + where.join(' AND ') : '', args };
}

/** How many stored alerts match (the limit aside). */
export function countAlerts(db: Database.Database, q: AlertQuery = {}): number {
  const f = filters(q);
  return Number(
    db
      .prepare(`SELECT count(*) FROM alerts ${f.sql}`)
      .pluck()
      .get(...f.args),
  );
}

/** Stored alerts, oldest first (or newest first). Works on a read-only connection too. */
export function queryAlerts(db: Database.Database, q: AlertQuery = {}): AlertJson[] {
  const { sql: where, args } = filters(q);
  const order = q.newestFirst === true ? 'at DESC, seq DESC, id DESC' : 'at, seq, id';
  const sql = `SELECT id, at, severity, kind, device_id, message, detail FROM alerts ${where} ORDER BY ${order} LIMIT ?`;
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
