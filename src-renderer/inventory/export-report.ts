/**
 * Export of the rows the grid shows, through the engine's exportReport (CSV, JSON, OCSF, HTML and PDF
 * reports, rendered where the data is); the renderer's own CSV/JSON is the fallback for an engine
 * from before that call. Returns what to tell the person, or null when a file was handed over.
 */
import type { DeviceJson } from '../../shared/model/inventory';
import type { Link } from '../store/link';
import { base64Blob, download, stamp } from '../util/download';
import type { ColumnSpec } from './columns';
import { toCsv, toJson } from './export';

export type ExportFormat = 'csv' | 'json' | 'html' | 'pdf' | 'ocsf';

export const EXPORT_LABELS: Record<ExportFormat, string> = {
  csv: 'CSV',
  json: 'JSON',
  html: 'HTML report',
  pdf: 'PDF report',
  ocsf: 'OCSF (JSON lines)',
};

export interface ExportOutcome {
  /** null when the file was downloaded without anything to say. */
  message: string | null;
  /** How the file was made: by the engine, by the renderer (fallback), or not at all. */
  by: 'engine' | 'renderer' | 'none';
}

function localExport(format: 'csv' | 'json', rows: readonly DeviceJson[], cols: readonly ColumnSpec[]) {
  const blob =
    format === 'csv'
      ? new Blob([toCsv(rows, cols)], { type: 'text/csv' })
      : new Blob([toJson(rows)], { type: 'application/json' });
  download(`glasspane-inventory-${stamp()}.${format}`, blob);
}

export async function exportRows(
  link: Link,
  format: ExportFormat,
  rows: readonly DeviceJson[],
  o: { all: boolean; cols: readonly ColumnSpec[] },
): Promise<ExportOutcome> {
  // Everything shown: the engine's whole inventory (with the alerts of no device); else exactly these rows.
  const r = await link.optional(
    'exportReport',
    o.all
      ? { format }
      : { format, deviceIds: rows.map((d) => d.id), title: 'Glasspane inventory report, filtered view' },
  );
  if (r.ok) {
    if (!r.value.supported) {
      return { message: r.value.message ?? `This host cannot export ${EXPORT_LABELS[format]}.`, by: 'none' };
    }
    download(r.value.fileName, base64Blob(r.value.content, r.value.mime));
    return { message: null, by: 'engine' };
  }
  if (r.unsupported && (format === 'csv' || format === 'json')) {
    localExport(format, rows, o.cols);
    return { message: null, by: 'renderer' };
  }
  if (r.unsupported) {
    return { message: `This engine cannot make reports; export CSV or JSON instead.`, by: 'none' };
  }
  return { message: `Export failed: ${r.message}`, by: 'none' };
}
