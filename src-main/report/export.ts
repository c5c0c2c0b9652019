/**
 * What every way of exporting the inventory shares (the contract's exportReport, File > Export… in
 * the desktop app, `glasspane report`): a snapshot as an InventoryJson, the selection of devices the
 * UI shows, and a format rendered to bytes and wrapped in the contract's answer, which never grows
 * past its size limit (a report too large for it is refused with a message, not sent).
 */
import type { CallResponse, Snapshot } from '../../shared/ipc/contract';
import { IPC_LIMITS } from '../../shared/ipc/limits';
import type { AlertJson } from '../../shared/model/alert';
import {
  emptyInventoryStats,
  INVENTORY_SCHEMA,
  type InventoryJson,
  type InventoryStats,
} from '../../shared/model/inventory';
import { toCsv, toJson } from '../cli/format';
import { renderHtmlReport, type ReportMeta } from './html';

export type ReportFormat = 'pdf' | 'html' | 'csv' | 'json' | 'ocsf';
export type ExportAnswer = CallResponse<'exportReport'>;

/** The format a file name asks for by its extension; null when it names none of them. */
export function formatOfPath(path: string): Exclude<ReportFormat, 'ocsf'> | null {
  const m = /\.([a-z]+)$/i.exec(path);
  const ext = m?.[1]?.toLowerCase();
  if (ext === 'pdf' || ext === 'csv' || ext === 'json' || ext === 'html') return ext;
  return ext === 'htm' ? 'html' : null;
}

/** Prints the HTML report to PDF; rejects with a reason people can act on. */
export type PdfPrinter = (html: string) => Promise<Buffer>;

export const REPORT_MIME: Record<ReportFormat, string> = {
  csv: 'text/csv;charset=utf-8',
  json: 'application/json',
  html: 'text/html;charset=utf-8',
  pdf: 'application/pdf',
  ocsf: 'application/x-ndjson',
};

/** Stats of a snapshot that has no analyzer behind it (the store's): what the status counters say. */
export function statsFromSnapshot(s: Pick<Snapshot, 'devices' | 'edges' | 'status'>): InventoryStats {
  const c = s.status.counters;
  return emptyInventoryStats({
    packets: c.packets,
    bytes: c.bytes,
    malformed: c.malformed,
    devices: s.devices.length,
    edges: s.edges.length,
  });
}

/**
 * The snapshot as an inventory document, limited to `ids` when given (unknown ids are ignored):
 * those devices and the conversations among them.
 */
export function snapshotInventory(
  s: Pick<Snapshot, 'devices' | 'edges' | 'status'>,
  o: { ids?: readonly string[]; stats?: InventoryStats; now?: Date } = {},
): InventoryJson {
  const keep = o.ids === undefined ? null : new Set(o.ids);
  const devices = keep === null ? s.devices : s.devices.filter((d) => keep.has(d.id));
  const edges = keep === null ? s.edges : s.edges.filter((e) => keep.has(e.a) && keep.has(e.b));
  const stats = o.stats ?? statsFromSnapshot(s);
  return {
    schema: INVENTORY_SCHEMA,
    generatedAt: (o.now ?? new Date()).toISOString(),
    stats: { ...stats, devices: devices.length, edges: edges.length },
    devices,
    edges,
  };
}

/** Alerts for a report of `inv`: those of its devices, oldest first (as renderHtmlReport lists them). */
export function alertsOf(inv: InventoryJson, newestFirst: readonly AlertJson[], all: boolean): AlertJson[] {
  const ids = new Set(inv.devices.map((d) => d.id));
  return newestFirst.filter((a) => (a.deviceId === null ? all : ids.has(a.deviceId))).reverse();
}

/** The text formats; PDF is the HTML printed by whichever printer the host has. */
export function renderTextReport(
  inv: InventoryJson,
  format: Exclude<ReportFormat, 'pdf' | 'ocsf'>,
  meta: ReportMeta,
): string {
  if (format === 'csv') return toCsv(inv);
  if (format === 'json') return toJson(inv);
  return renderHtmlReport(inv, meta);
}

export function reportFileName(format: ReportFormat, at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return `glasspane-inventory-${stamp}.${format === 'ocsf' ? 'ocsf.jsonl' : format}`;
}

/** Characters of `bytes` bytes in base64. */
export const base64Length = (bytes: number): number => 4 * Math.ceil(bytes / 3);

export function refusedExport(format: ReportFormat, devices: number, message: string): ExportAnswer {
  return {
    supported: false,
    message: message.slice(0, IPC_LIMITS.text),
    fileName: '',
    mime: REPORT_MIME[format],
    content: '',
    devices,
  };
}

/** The contract's answer for a rendered report, or a refusal when it would not fit `maxChars`. */
export function exportAnswer(
  format: ReportFormat,
  body: string | Uint8Array,
  devices: number,
  o: { maxChars?: number; at?: Date } = {},
): ExportAnswer {
  const max = Math.min(o.maxChars ?? IPC_LIMITS.report, IPC_LIMITS.report);
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (base64Length(bytes) > max) {
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    return refusedExport(
      format,
      devices,
      `The ${format.toUpperCase()} report of ${devices} devices would be ${mb(base64Length(bytes))}, more than ` +
        `this connection carries (${mb(max)}): filter the inventory to fewer devices, or run ` +
        '`glasspane report --db FILE --out FILE` on the engine’s machine.',
    );
  }
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  return {
    supported: true,
    message: null,
    fileName: reportFileName(format, o.at),
    mime: REPORT_MIME[format],
    content: buf.toString('base64'),
    devices,
  };
}

/** What a host without a PDF printer answers. */
export const NO_PRINTER =
  'This host cannot make PDFs: no Chromium was found. Install chromium (or set GLASSPANE_CHROMIUM to ' +
  'its path) and restart the host, or export the HTML report and print it to PDF from the browser.';

/** Prints `html` with `print`, or says why not; never throws. */
export async function printReport(
  html: string,
  devices: number,
  print: PdfPrinter | undefined,
  o: { maxChars?: number; at?: Date } = {},
): Promise<ExportAnswer> {
  if (print === undefined) return refusedExport('pdf', devices, NO_PRINTER);
  let pdf: Buffer;
  try {
    pdf = await print(html);
  } catch (e) {
    return refusedExport(
      'pdf',
      devices,
      `The PDF could not be printed (${e instanceof Error ? e.message : String(e)}); export the HTML ` +
        'report and print it from the browser instead.',
    );
  }
  return exportAnswer('pdf', pdf, devices, o);
}

/**
 * exportReport for a host whose engine runs where no printer is (Electron's utility process has no
 * BrowserWindow): PDF requests ask the engine for the HTML report and print it here; other formats
 * pass through.
 */
export function printingPdfHere(
  inner: (req: { format: ReportFormat; deviceIds?: string[]; title?: string }) => Promise<ExportAnswer>,
  print: PdfPrinter,
  o: { maxChars?: number } = {},
): typeof inner {
  return async (req) => {
    if (req.format !== 'pdf') return inner(req);
    const r = await inner({ ...req, format: 'html' });
    if (!r.supported) return { ...r, mime: REPORT_MIME.pdf };
    const html = Buffer.from(r.content, 'base64').toString('utf8');
    return printReport(html, r.devices, print, o);
  };
}
