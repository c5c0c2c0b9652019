/**
 * The engine's alerts, newest first: severity, time, kind, device and message, filtered by severity
 * and text. A device opens in the details beside the list (and is the grid's selection too). All text
 * here came from the engine: React text only.
 */
import { useMemo } from 'react';
import type { Alert } from '../../shared/ipc/contract';
import { useGlasspane, useStoreApi } from '../context';
import { displayName, fmtCount, fmtTime } from '../util/format';
import { countBySeverity, filterAlerts } from './filter';
import { SEVERITIES, SeverityBadge } from './severity';

/** Rows drawn at once; a narrower filter shows the rest. */
const MAX_ROWS = 500;

/** An alert's detail as one line of text ("port=502 · peer=10.0.0.9"). */
const detailText = (detail: Alert['detail']): string =>
  Object.entries(detail)
    .slice(0, 16)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' · ');

export function AlertsView() {
  const alerts = useGlasspane((s) => s.alerts);
  const total = useGlasspane((s) => s.alertsTotal);
  const state = useGlasspane((s) => s.alertsState);
  const filter = useGlasspane((s) => s.alertsFilter);
  const devices = useGlasspane((s) => s.devices);
  const store = useStoreApi();
  const shown = useMemo(() => filterAlerts(alerts, filter, devices), [alerts, filter, devices]);
  const counts = useMemo(() => countBySeverity(alerts), [alerts]);
  const hidden = new Set(filter.hidden);

  const toggle = (sev: (typeof SEVERITIES)[number]) => {
    const next = hidden.has(sev) ? filter.hidden.filter((x) => x !== sev) : [...filter.hidden, sev];
    store.getState().setAlertsFilter({ hidden: next });
  };

  return (
    <div className="alerts-view" data-testid="alerts-view">
      <div className="toolbar">
        <div className="sev-filter" role="group" aria-label="Severities shown">
          {SEVERITIES.map((sev) => (
            <button
              key={sev}
              type="button"
              className={`sev-toggle sev-${sev}`}
              aria-pressed={!hidden.has(sev)}
              onClick={() => toggle(sev)}
            >
              {sev} <span className="tab-count">{fmtCount(counts[sev])}</span>
            </button>
          ))}
        </div>
        <input
          type="search"
          className="search"
          aria-label="Search alerts"
          placeholder="Search kind, message, device…"
          value={filter.text}
          maxLength={256}
          onChange={(e) => store.getState().setAlertsFilter({ text: e.target.value })}
        />
        <span className="count" data-testid="alerts-count">
          {shown.length === alerts.length
            ? `${fmtCount(alerts.length)} alerts`
            : `${fmtCount(shown.length)} of ${fmtCount(alerts.length)} alerts`}
          {total > alerts.length && ` (the engine holds ${fmtCount(total)})`}
        </span>
      </div>
      {state.kind === 'unsupported' && (
        <p className="muted pad" data-testid="alerts-unavailable">
          Alerts are not available from this engine.
        </p>
      )}
      {state.kind === 'failed' && (
        <p className="error pad" role="alert">
          Could not list alerts: {state.message}
        </p>
      )}
      {state.kind !== 'unsupported' && alerts.length === 0 && (
        <p className="muted pad">No alerts. They are raised after the learning period, as traffic changes.</p>
      )}
      {shown.length > 0 && (
        <div className="alerts-scroll">
          <table className="alerts" data-testid="alerts" aria-label="Alerts">
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Time</th>
                <th scope="col">Kind</th>
                <th scope="col">Device</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {shown.slice(0, MAX_ROWS).map((a) => {
                const d = a.deviceId === null ? undefined : devices.get(a.deviceId);
                return (
                  <tr key={a.id} data-id={a.id}>
                    <td>
                      <SeverityBadge severity={a.severity} />
                    </td>
                    <td className="nowrap">{fmtTime(a.at)}</td>
                    <td className="mono small">{a.kind}</td>
                    <td>
                      {a.deviceId === null ? (
                        <span className="muted">—</span>
                      ) : (
                        <button
                          type="button"
                          className="link"
                          data-device={a.deviceId}
                          onClick={() => store.getState().openDetails(a.deviceId!, 'other')}
                        >
                          {d ? displayName(d) : a.deviceId}
                        </button>
                      )}
                    </td>
                    <td className="value">
                      <div className="alert-message">{a.message}</div>
                      {Object.keys(a.detail).length > 0 && (
                        <div className="muted small mono">{detailText(a.detail)}</div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {shown.length > MAX_ROWS && (
            <p className="muted small pad">
              Showing the newest {MAX_ROWS} of {fmtCount(shown.length)}; narrow the filter to see others.
            </p>
          )}
        </div>
      )}
    </div>
  );
}
