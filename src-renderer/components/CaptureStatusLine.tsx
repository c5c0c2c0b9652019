import { useEffect, useState } from 'react';
import { useGlasspane } from '../context';

const fmt = new Intl.NumberFormat();

const STATE_LABEL = {
  idle: 'No capture running',
  starting: 'Starting…',
  running: 'Capturing',
  finished: 'Finished',
  stopped: 'Stopped',
  failed: 'Failed',
} as const;

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const s = Math.max(0, Math.floor((now - since) / 1000));
  return <span className="mono">{`${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`}</span>;
}

/**
 * Counters and progress. A file run shows an indeterminate bar (the contract carries no byte
 * progress yet) with packets read; a live run its elapsed time.
 */
export function CaptureStatusLine() {
  const capture = useGlasspane((s) => s.capture);
  const deviceCount = useGlasspane((s) => s.devices.size);
  const startedAt = useGlasspane((s) => s.runStartedAt);
  const c = capture.counters;
  const busy = capture.state === 'running' || capture.state === 'starting';
  const source = capture.source;
  return (
    <footer className="statusbar" data-testid="status">
      <span className={`state state-${capture.state}`}>{STATE_LABEL[capture.state]}</span>
      {busy && (
        <span className="progress" role="progressbar" aria-label="Capture in progress" data-testid="progress">
          <span className="progress-bar" />
        </span>
      )}
      {source && (
        <span
          className="source muted"
          title={source.kind === 'file' ? source.paths.join('\n') : source.interfaces.join(', ')}
        >
          {source.kind === 'file'
            ? source.paths.map((p) => p.split(/[\\/]/).pop()).join(', ')
            : `${source.interfaces.join(', ')}${source.filter ? ` · ${source.filter}` : ''}`}
        </span>
      )}
      {busy && startedAt !== null && <Elapsed since={startedAt} />}
      <span>{fmt.format(deviceCount)} devices</span>
      <span>{fmt.format(c.packets)} packets</span>
      <span>{fmt.format(c.bytes)} bytes</span>
      <span className={c.drops > 0 ? 'warn' : ''}>{fmt.format(c.drops)} dropped</span>
      <span className={c.malformed > 0 ? 'warn' : ''}>{fmt.format(c.malformed)} malformed</span>
      {capture.message && <span className="error">{capture.message}</span>}
    </footer>
  );
}
