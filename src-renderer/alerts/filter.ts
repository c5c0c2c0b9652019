/** The alerts view's filter, pure so that it can be tested without a browser. */
import type { Alert } from '../../shared/ipc/contract';
import type { DeviceJson } from '../../shared/model/inventory';
import type { AlertsFilter } from '../store/alerts-slice';
import { displayName } from '../util/format';

/** Alerts whose severity is shown and whose kind, message, device id or device name holds the text. */
export function filterAlerts(
  alerts: readonly Alert[],
  filter: AlertsFilter,
  devices: ReadonlyMap<string, DeviceJson>,
): Alert[] {
  const hidden = new Set(filter.hidden);
  const q = filter.text.trim().toLowerCase();
  return alerts.filter((a) => {
    if (hidden.has(a.severity)) return false;
    if (!q) return true;
    if (a.message.toLowerCase().includes(q) || a.kind.toLowerCase().includes(q)) return true;
    if (a.deviceId === null) return false;
    if (a.deviceId.toLowerCase().includes(q)) return true;
    const d = devices.get(a.deviceId);
    return d !== undefined && displayName(d).toLowerCase().includes(q);
  });
}

/** Alerts per severity. */
export function countBySeverity(alerts: readonly Alert[]): Record<Alert['severity'], number> {
  const out = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const a of alerts) out[a.severity]++;
  return out;
}
