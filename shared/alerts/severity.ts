import type { AlertJson } from '../model/alert';

export type Severity = AlertJson['severity'];

/** Severities from least to most urgent; a filter "medium" keeps medium and everything above it. */
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export function severityRank(s: string): number {
  return SEVERITIES.indexOf(s as Severity);
}

export function isSeverity(s: string): s is Severity {
  return severityRank(s) >= 0;
}
