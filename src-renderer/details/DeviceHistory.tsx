/**
 * A device's history in its details: the timeline of attribute changes (getTimeline, which only
 * hosts with a store can answer) and the alerts about it (listAlerts for the device, plus the ones
 * raised since, from the store). Every string is the engine's: rendered as text.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Alert, TimelineEntry } from '../../shared/ipc/contract';
import type { DeviceJson } from '../../shared/model/inventory';
import { SeverityBadge } from '../alerts/severity';
import { useGlasspane, useLink } from '../context';
import { mergeAlerts } from '../store/alerts-slice';
import { fmtTime } from '../util/format';

const MAX_SHOWN = 500;
/** Alerts asked for per device: the details show a recent slice, the alerts view has the rest. */
const DEVICE_ALERTS = 200;

type Loaded<T> =
  | { kind: 'loading' }
  | { kind: 'loaded'; value: T }
  | { kind: 'unsupported' }
  | { kind: 'failed'; message: string };

type TimelineState = Loaded<{ supported: boolean; entries: TimelineEntry[] }>;

/** What a timeline entry can change: when any of these move, the timeline is asked again. */
const identity = (d: DeviceJson): string =>
  JSON.stringify([d.hostname, d.vendor, d.category, d.type, d.model, d.os, d.firmware, d.notes, d.edited]);

export function DeviceTimeline({ device }: { device: DeviceJson }) {
  const link = useLink();
  const [state, setState] = useState<{ id: string; timeline: TimelineState }>({
    id: device.id,
    timeline: { kind: 'loading' },
  });
  const id = device.id;
  const sig = identity(device);
  const askedFor = useRef<string | null>(null);
  useEffect(() => {
    let live = true;
    const fresh = askedFor.current !== id;
    askedFor.current = id;
    // A new device at once; a change of the same device after a moment (edits come in bursts).
    const t = setTimeout(
      async () => {
        const r = await link.optional('getTimeline', { id });
        if (!live) return;
        const timeline: TimelineState = r.ok
          ? { kind: 'loaded', value: r.value }
          : r.unsupported
            ? { kind: 'unsupported' }
            : { kind: 'failed', message: r.message };
        setState({ id, timeline });
      },
      fresh ? 0 : 500,
    );
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [id, sig, link]);

  const timeline: TimelineState = state.id === id ? state.timeline : { kind: 'loading' };
  return (
    <>
      <h3>Timeline</h3>
      {timeline.kind === 'loading' && <p className="muted small">Loading the timeline…</p>}
      {timeline.kind === 'unsupported' && (
        <p className="muted small" data-testid="timeline-unavailable">
          The timeline is not available from this engine.
        </p>
      )}
      {timeline.kind === 'failed' && <p className="error small">{timeline.message}</p>}
      {timeline.kind === 'loaded' && !timeline.value.supported && (
        <p className="muted small" data-testid="timeline-needs-store">
          The timeline needs a store: run <code>glasspane serve --db FILE</code>, or use the desktop app.
        </p>
      )}
      {timeline.kind === 'loaded' &&
        timeline.value.supported &&
        (timeline.value.entries.length === 0 ? (
          <p className="muted small">No changes recorded yet.</p>
        ) : (
          <TimelineTable entries={timeline.value.entries} />
        ))}
    </>
  );
}

function TimelineTable({ entries }: { entries: readonly TimelineEntry[] }) {
  // Oldest first from the engine; the newest matter most here.
  const rows = useMemo(() => entries.slice(-MAX_SHOWN).reverse(), [entries]);
  return (
    <table className="timeline" data-testid="timeline">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Field</th>
          <th scope="col">Change</th>
          <th scope="col">By</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((e, i) => (
          <tr key={i}>
            <td className="nowrap">{fmtTime(e.at)}</td>
            <td>{e.field}</td>
            <td className="value">
              <span className={e.old === null ? 'muted' : ''}>{e.old ?? 'none'}</span> →{' '}
              <span className={e.new === null ? 'muted' : ''}>{e.new ?? 'none'}</span>
            </td>
            <td>{e.source}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DeviceAlerts({ id }: { id: string }) {
  const link = useLink();
  const held = useGlasspane((s) => s.alerts);
  const [fetched, setFetched] = useState<{ id: string; state: Loaded<Alert[]> }>({
    id,
    state: { kind: 'loading' },
  });
  useEffect(() => {
    let live = true;
    void link.optional('listAlerts', { deviceId: id, limit: DEVICE_ALERTS }).then((r) => {
      if (!live) return;
      setFetched({
        id,
        state: r.ok
          ? { kind: 'loaded', value: r.value.alerts }
          : r.unsupported
            ? { kind: 'unsupported' }
            : { kind: 'failed', message: r.message },
      });
    });
    return () => {
      live = false;
    };
  }, [id, link]);

  const state: Loaded<Alert[]> = fetched.id === id ? fetched.state : { kind: 'loading' };
  // The engine's answer, plus what has been raised about this device since (events, in the store).
  const alerts = useMemo(() => {
    const since = held.filter((a) => a.deviceId === id);
    const listed = state.kind === 'loaded' ? state.value.filter((a) => a.deviceId === id) : [];
    return mergeAlerts(mergeAlerts([], listed).alerts, since, DEVICE_ALERTS).alerts;
  }, [held, id, state]);

  return (
    <>
      <h3>Alerts</h3>
      {state.kind === 'loading' && alerts.length === 0 && <p className="muted small">Loading alerts…</p>}
      {state.kind === 'unsupported' && (
        <p className="muted small" data-testid="device-alerts-unavailable">
          Alerts are not available from this engine.
        </p>
      )}
      {state.kind === 'failed' && <p className="error small">{state.message}</p>}
      {state.kind === 'loaded' && alerts.length === 0 && (
        <p className="muted small">No alerts about this device.</p>
      )}
      {alerts.length > 0 && (
        <table className="device-alerts" data-testid="device-alerts">
          <tbody>
            {alerts.map((a) => (
              <tr key={a.id}>
                <td>
                  <SeverityBadge severity={a.severity} />
                </td>
                <td className="nowrap">{fmtTime(a.at)}</td>
                <td>
                  <div className="small muted">{a.kind}</div>
                  <div className="value">{a.message}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
