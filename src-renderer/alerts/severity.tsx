/** Alert severities in order, and the badge that shows one (colour from the theme, word as text). */
import type { Alert } from '../../shared/ipc/contract';

export type Severity = Alert['severity'];

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span className={`sev sev-${severity}`}>{severity}</span>;
}
