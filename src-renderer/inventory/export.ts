/**
 * The inventory as shown (filtered, sorted, visible columns) to CSV, or as device records to JSON.
 * CSV cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are prefixed with a quote:
 * host names and banners come from the network.
 */
import type { DeviceJson } from '../../shared/model/inventory';
import { INVENTORY_SCHEMA } from '../../shared/model/inventory';
import type { ColumnSpec } from './columns';

function csvCell(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: readonly DeviceJson[], cols: readonly ColumnSpec[]): string {
  const lines = [cols.map((c) => csvCell(c.label)).join(',')];
  for (const d of rows) lines.push(cols.map((c) => csvCell(c.text(d))).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function toJson(rows: readonly DeviceJson[]): string {
  return JSON.stringify(
    { schema: INVENTORY_SCHEMA, generatedAt: new Date().toISOString(), devices: rows },
    null,
    2,
  );
}
