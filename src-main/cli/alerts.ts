import type { AlertJson } from '../../shared/model/alert';
import { SEVERITIES, isSeverity } from '../../shared/alerts/severity';
import { isoTime } from '../../shared/util/time';
import { queryAlerts } from '../store/alert-query';
import { dbPath, openForReading } from './db';
import { parseDuration } from './duration';
import { UsageError, writeOutput } from './output';
import { printable } from '../../shared/util/printable';

export interface AlertsOptions {
  db?: string | boolean;
  /** ISO date/time, or a duration back from now ("24h"). */
  since?: string;
  /** Lowest severity listed. */
  severity?: string;
  kind?: string;
  device?: string;
  format?: 'json' | 'table';
  out?: string;
}

/** `glasspane alerts`: list stored alerts. Returns the exit code. */
export async function alertsCommand(o: AlertsOptions, now = Date.now()): Promise<number> {
  const format = o.format ?? 'table';
  if (format !== 'json' && format !== 'table')
    throw new UsageError(`unknown format '${String(format)}': use json or table`);
  if (o.severity !== undefined && !isSeverity(o.severity))
    throw new UsageError(`unknown severity '${o.severity}': use one of ${SEVERITIES.join(', ')}`);
  const since = o.since === undefined ? undefined : sinceTime(o.since, now);
  const db = openForReading(dbPath(o.db));
  let alerts: AlertJson[];
  try {
    alerts = queryAlerts(db, {
      since,
      severity: o.severity !== undefined && isSeverity(o.severity) ? o.severity : undefined,
      kind: o.kind,
      deviceId: o.device,
    });
  } finally {
    db.close();
  }
  await writeOutput(format === 'json' ? JSON.stringify(alerts, null, 2) + '\n' : alertTable(alerts), o.out);
  return 0;
}

/** A duration reaching back before 1970 means every alert: isoTime clamps it to the epoch rather than throwing. */
function sinceTime(s: string, now: number): string {
  if (/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/.test(s.trim())) return isoTime(now - parseDuration(s));
  const t = Date.parse(s);
  if (!Number.isFinite(t))
    throw new UsageError(`--since '${s}' is neither a date (2026-01-31T08:00Z) nor a duration (24h)`);
  return isoTime(t);
}

export function alertTable(alerts: readonly AlertJson[]): string {
  if (alerts.length === 0) return 'no alerts\n';
  const rows = alerts.map((a) => [
    a.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    a.severity,
    a.kind,
    a.deviceId ?? '-',
    a.message,
  ]);
  const head = ['time', 'severity', 'kind', 'device', 'message'];
  const widths = head.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? printable(c) : printable(c).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}
