/**
 * A summary of the inventory: devices by category, type, vendor and OS (the ten most common and
 * "other"), and new devices over time by first sighting. Clicking a bar (or a row of the table under
 * each chart, for the keyboard) filters the grid by that value.
 */
import { useMemo } from 'react';
import type { DeviceJson } from '../../shared/model/inventory';
import { useGlasspane, useStoreApi } from '../context';
import { fmtCount } from '../util/format';
import { BarChart } from './BarChart';
import { bucketLabel, newDevicesOverTime, topCounts, type Bar } from './counts';

const BREAKDOWNS = [
  { column: 'category', title: 'Categories', field: (d: DeviceJson) => d.category },
  { column: 'type', title: 'Types', field: (d: DeviceJson) => d.type },
  { column: 'vendor', title: 'Vendors', field: (d: DeviceJson) => d.vendor },
  { column: 'os', title: 'Operating systems', field: (d: DeviceJson) => d.os },
] as const;

function Breakdown({ column, title, bars }: { column: string; title: string; bars: readonly Bar[] }) {
  const store = useStoreApi();
  const labels = useMemo(() => bars.map((b) => b.label), [bars]);
  const values = useMemo(() => bars.map((b) => b.count), [bars]);
  const pick = (b: Bar | undefined) => {
    if (!b || b.filter === null) return;
    store.getState().setFilter(column, b.filter);
    store.getState().setView('inventory');
  };
  return (
    <section className="panel dash-panel" aria-labelledby={`dash-${column}`} data-chart={column}>
      <header className="panel-header">
        <h2 id={`dash-${column}`}>{title}</h2>
      </header>
      {bars.length === 0 ? (
        <p className="muted">No devices yet.</p>
      ) : (
        <>
          <BarChart
            labels={labels}
            values={values}
            horizontal
            label={`Devices by ${title.toLowerCase()}`}
            testId={`chart-${column}`}
            onPick={(i) => pick(bars[i])}
          />
          <details className="dash-table">
            <summary>As a table</summary>
            <ul>
              {bars.map((b) => (
                <li key={b.label}>
                  {b.filter === null ? (
                    <span>{b.label}</span>
                  ) : (
                    <button type="button" className="link" onClick={() => pick(b)}>
                      {b.label}
                    </button>
                  )}
                  <span className="facet-count">{fmtCount(b.count)}</span>
                </li>
              ))}
            </ul>
          </details>
        </>
      )}
    </section>
  );
}

export function DashboardView() {
  const devices = useGlasspane((s) => s.deviceList);
  const alerts = useGlasspane((s) => s.alertsTotal);
  const breakdowns = useMemo(
    () => BREAKDOWNS.map((b) => ({ ...b, bars: topCounts(devices, b.field) })),
    [devices],
  );
  const time = useMemo(() => newDevicesOverTime(devices), [devices]);
  const timeLabels = useMemo(() => time.starts.map((s) => bucketLabel(s, time.bucketMs)), [time]);
  const classified = useMemo(
    () => devices.filter((d) => d.category !== null || d.type !== null).length,
    [devices],
  );

  return (
    <div className="dashboard" data-testid="dashboard">
      <div className="dash-figures">
        <div className="figure">
          <span className="figure-value" data-testid="dash-devices">
            {fmtCount(devices.length)}
          </span>
          <span className="muted small">devices</span>
        </div>
        <div className="figure">
          <span className="figure-value">{fmtCount(classified)}</span>
          <span className="muted small">with a category or type</span>
        </div>
        <div className="figure">
          <span className="figure-value">{fmtCount(alerts)}</span>
          <span className="muted small">alerts</span>
        </div>
      </div>
      <div className="dash-grid">
        {breakdowns.map((b) => (
          <Breakdown key={b.column} column={b.column} title={b.title} bars={b.bars} />
        ))}
        <section className="panel dash-panel dash-wide" aria-labelledby="dash-new" data-chart="new">
          <header className="panel-header">
            <h2 id="dash-new">New devices over time</h2>
            <span className="muted small">by first sighting</span>
          </header>
          {time.counts.length === 0 ? (
            <p className="muted">No devices yet.</p>
          ) : (
            <BarChart
              labels={timeLabels}
              values={time.counts}
              label="New devices per time bucket"
              testId="chart-new"
            />
          )}
        </section>
      </div>
    </div>
  );
}
