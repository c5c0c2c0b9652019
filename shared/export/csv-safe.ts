/**
 * Spreadsheet formula injection (CWE-1236): a cell that starts with = + - @ (or a tab or carriage
 * return, which some spreadsheets skip before one of those) is run as a formula when the CSV is
 * opened. Every such cell is prefixed with a single quote, as OWASP recommends, so it reads as text.
 */
export function neutralizeCell(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? "'" + v : v;
}
