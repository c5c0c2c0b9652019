import { buildAnalysisEvents } from '../../shared/forward/events';
import { toOcsfLines } from '../../shared/forward/ocsf';
import { identityOf } from '../../shared/inventory/identity';
import type { CallRequest, CallResponse } from '../../shared/ipc/contract';
import { IPC_LIMITS } from '../../shared/ipc/limits';
import {
  alertsOf,
  exportAnswer,
  printReport,
  renderTextReport,
  snapshotInventory,
  type PdfPrinter,
} from '../report/export';
import { localOrigin } from '../forward/origin';
import type { AlertService } from './alert-service';
import type { InventoryView } from './inventory-view';
import type { MergedView } from './merged-view';
import type { RunController } from './run-controller';

export interface ReportExportOptions {
  printPdf?: PdfPrinter;
  maxReportChars?: number;
  generator?: string;
}

/**
 * exportReport: the devices as the UI shows them (edits applied, the store's before the first run;
 * in a sensors' console, the merged inventory).
 */
export async function exportReport(
  { format, deviceIds, title }: CallRequest<'exportReport'>,
  s: { runs: RunController; view: InventoryView; alerts: AlertService; merged?: MergedView },
  o: ReportExportOptions,
): Promise<CallResponse<'exportReport'>> {
  const merged = s.merged?.report();
  const snap = merged !== undefined ? { ...merged, status: s.runs.status } : s.view.snapshot();
  const fromStore = merged === undefined && s.view.showingStore;
  const analyzer = s.runs.analyzer;
  const at = new Date();
  const inv = snapshotInventory(snap, {
    ids: deviceIds,
    stats: merged?.stats ?? (fromStore ? undefined : analyzer.stats()),
    now: at,
  });
  // The snapshot leaves identity sections to device details; a report carries them (a merge's has them).
  if (merged === undefined)
    for (const d of inv.devices) {
      const live = analyzer.inventory.byId(d.id);
      const identity =
        live !== undefined ? identityOf(live.evidence.facts.values()) : s.view.storedDevice(d.id)?.identity;
      if (identity !== undefined) d.identity = identity;
    }
  const n = inv.devices.length;
  const opts = { maxChars: o.maxReportChars, at };
  if (format === 'csv' || format === 'json')
    return exportAnswer(format, renderTextReport(inv, format, { sources: [] }), n, opts);
  const listed = s.alerts.list({ limit: IPC_LIMITS.alerts });
  const alerts = alertsOf(inv, listed.alerts, deviceIds === undefined);
  if (format === 'ocsf') {
    // The same records as `analyze --format ocsf`: one 5001 per device, one 2004 per alert.
    const origin = localOrigin();
    return exportAnswer('ocsf', toOcsfLines(buildAnalysisEvents(inv, alerts, origin), origin), n, opts);
  }
  const src = snap.status.source;
  const html = renderTextReport(inv, 'html', {
    title,
    sources:
      merged !== undefined
        ? ["the sensors' streams"]
        : src === null
          ? [fromStore ? 'the device store' : 'no capture yet']
          : src.kind === 'file'
            ? src.paths
            : [`live capture on ${src.interfaces.join(', ')}${src.filter ? ` (filter ${src.filter})` : ''}`],
    alerts,
    generator: o.generator ?? 'Glasspane',
  });
  if (format === 'html') return exportAnswer('html', html, n, opts);
  return printReport(html, n, o.printPdf, opts);
}
