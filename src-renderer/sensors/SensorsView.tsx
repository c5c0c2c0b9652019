/**
 * The Sensors view of a sensors' console (serve --nats): each sensor's site, name, state, health
 * (packets, drops, drop rate), version, uptime, last contact and clock offset, asked of the engine
 * every few seconds while the view is shown. Other hosts have no sensors: the view says so. All text
 * came from the engine: React text only.
 */
import { useEffect, useState } from 'react';
import type { CallResponse } from '../../shared/ipc/contract';
import { useLink } from '../context';
import { fmtCount, fmtTime } from '../util/format';
import { ConnectionDialog } from './ConnectionDialog';
import { duration, offset, percent, STATE_LABEL } from './sensor-text';

const POLL_MS = 5000;

type Sensors = CallResponse<'listSensors'>;

export function SensorsView() {
  const link = useLink();
  const [data, setData] = useState<Sensors | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const ask = async () => {
      const r = await link.optional('listSensors', {});
      if (!live) return;
      if (r.ok) {
        setData(r.value);
        setProblem(null);
      } else setProblem(r.message);
    };
    void ask();
    const t = setInterval(() => void ask(), POLL_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [link]);

  if (problem !== null)
    return (
      <div className="content sensors-view" data-testid="sensors-view">
        <p className="muted">{problem}</p>
      </div>
    );
  if (data === null) return <div className="content sensors-view" data-testid="sensors-view" />;
  if (!data.supported)
    return (
      <div className="content sensors-view" data-testid="sensors-view">
        <p className="muted">
          This console analyses its own captures. Sensors show here in a console that follows them: connect
          below, or start glasspane serve --nats URL.
        </p>
        <ConnectionDialog />
      </div>
    );
  return (
    <div className="content sensors-view" data-testid="sensors-view">
      <p className="muted small">
        {data.sensors.length} sensor(s). Disconnected after {duration(data.silenceMs / 1000)} of silence;
        clocks flagged past ±{duration(data.maxClockSkewMs / 1000)}.
      </p>
      <table className="sensors-table">
        <thead>
          <tr>
            <th>Site</th>
            <th>Sensor</th>
            <th>State</th>
            <th>Packets</th>
            <th>Drops</th>
            <th>Drop rate</th>
            <th>Version</th>
            <th>Uptime</th>
            <th>Last contact</th>
            <th>Clock offset</th>
          </tr>
        </thead>
        <tbody>
          {data.sensors.map((s) => (
            <tr key={`${s.site}/${s.sensor}`} data-sensor={`${s.site}/${s.sensor}`} data-state={s.state}>
              <td>{s.site}</td>
              <td>{s.sensor}</td>
              <td className={`sensor-state ${s.state}`}>{STATE_LABEL[s.state]}</td>
              <td className="num">{fmtCount(s.packets)}</td>
              <td className="num">{fmtCount(s.drops)}</td>
              <td className="num">{percent(s.dropRate)}</td>
              <td>{s.version}</td>
              <td className="num">{duration(s.uptimeS)}</td>
              <td>{fmtTime(s.lastContact)}</td>
              <td className={s.skewed ? 'num skewed' : 'num'} data-skewed={s.skewed}>
                {offset(s.clockOffsetMs)}
                {s.skewed ? ' (clock skewed)' : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ConnectionDialog />
    </div>
  );
}
