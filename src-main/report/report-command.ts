/**
 * `glasspane report <capture...|--db FILE> --out FILE.pdf|.html|.csv|.json`: the inventory as a
 * file, in the format its extension names. PDF is the HTML report printed by a local Chromium; where
 * there is none, the HTML is written instead (beside the asked-for name) and the command says so.
 */
import type { InventoryJson } from '../../shared/model/inventory';
import { formatOfPath, renderTextReport, type ReportFormat } from './export';
import type { ReportMeta } from './html';
import { inventoryFromCaptures, inventoryFromStore, ReportInputError, type LoadedInventory } from './load';
import { findChromium, htmlToPdf } from './pdf';
import { ReportWriteError, writeFileAtomic } from './write';

export type { ReportFormat } from './export';

export interface ReportOptions {
  out?: string;
  db?: string;
  title?: string;
  /** For tests and packaging: the Chromium to print with (default: findChromium()). */
  chromium?: string | null;
}

export class ReportUsageError extends Error {}

export function formatOf(out: string): Exclude<ReportFormat, 'ocsf'> {
  const f = formatOfPath(out);
  if (f !== null) return f;
  throw new ReportUsageError(`cannot tell the format from '${out}': end it in .pdf, .html, .csv or .json`);
}

export interface WrittenReport {
  path: string;
  format: ReportFormat;
  /** Set when a PDF was asked for and HTML was written instead. */
  fallback?: string;
}

/** Renders `inv` as `format` and writes it atomically to `out`. */
export async function writeReport(
  inv: InventoryJson,
  out: string,
  meta: ReportMeta,
  o: { chromium?: string | null } = {},
): Promise<WrittenReport> {
  const format = formatOf(out);
  if (format !== 'pdf') await writeFileAtomic(out, renderTextReport(inv, format, meta));
  else {
    const html = renderTextReport(inv, 'html', meta);
    const pdf = await htmlToPdf(html, o.chromium === undefined ? findChromium() : o.chromium);
    if (pdf.ok) await writeFileAtomic(out, pdf.pdf);
    else {
      const path = out.replace(/\.pdf$/i, '') + '.html';
      await writeFileAtomic(path, html);
      return { path, format: 'html', fallback: pdf.reason };
    }
  }
  return { path: out, format };
}

const say = (m: string) => process.stderr.write(`glasspane: ${m}\n`);

/** Returns the exit code: 0 written, 2 for a mistake the person can fix. */
export async function reportCommand(inputs: string[], o: ReportOptions): Promise<number> {
  try {
    if (o.out === undefined)
      throw new ReportUsageError('say where to write the report: --out FILE.pdf|.html|.csv|.json');
    formatOf(o.out);
    if (o.db !== undefined && inputs.length > 0)
      throw new ReportUsageError('give capture files or --db, not both');
    if (o.db === undefined && inputs.length === 0)
      throw new ReportUsageError('give capture files or --db FILE');
    const loaded: LoadedInventory =
      o.db !== undefined ? await inventoryFromStore(o.db) : await inventoryFromCaptures(inputs);
    for (const w of loaded.warnings) say(`warning: ${w}`);
    const meta: ReportMeta = {
      title: o.title,
      sources: loaded.sources,
      alerts: loaded.alerts,
      alertsUnavailable:
        loaded.alerts === undefined
          ? 'Alerts are kept by the device store; this report was made from capture files (use --db for alerts).'
          : undefined,
      generator: `Glasspane ${process.env.GLASSPANE_VERSION ?? '0.1.0'}`,
    };
    const w = await writeReport(loaded.inventory, o.out, meta, { chromium: o.chromium });
    if (w.fallback !== undefined)
      say(
        `cannot make a PDF: ${w.fallback}; wrote the HTML report to ${w.path} instead (print it from a browser)`,
      );
    say(`wrote ${w.path} (${loaded.inventory.devices.length} devices)`);
    return 0;
  } catch (e) {
    if (e instanceof ReportUsageError || e instanceof ReportInputError || e instanceof ReportWriteError) {
      say(e.message);
      return 2;
    }
    throw e;
  }
}
