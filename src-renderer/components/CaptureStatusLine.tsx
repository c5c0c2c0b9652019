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
 * Counters and progress. A file run shows how much of the file is read (and which file of how
 * many), an indeterminate bar until the host first says; a live run its elapsed time.
 */
type Progress = { bytesRead: number; bytesTotal: number; file: number; files: number };

function ProgressBar({ progress }: { progress: Progress | null }) {
  if (progress === null || progress.bytesTotal <= 0) {
    return (
      <span className="progress" role="progressbar" aria-label="Capture in progress" data-testid="progress">
        <span className="progress-bar" />
      </span>
    );
  }
  const pct = Math.min(100, Math.round((progress.bytesRead / progress.bytesTotal) * 100));
  const label = progress.files > 1 ? `file ${progress.file} of ${progress.files}: ${pct}%` : `${pct}% read`;
  return (
    <>
      <span
        className="progress"
        role="progressbar"
        aria-label="Reading capture file"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        data-testid="progress"
      >
        <span className="progress-bar determinate" style={{ width: `${pct}%` }} />
      </span>
      <span className="muted small" data-testid="progress-text">
        {label}
      </span>
    </>
  );
}

export function CaptureStatusLine() {
  const capture = useGlasspane((s) => s.capture);
  const deviceCount = useGlasspane((s) => s.devices.size);
  const startedAt = useGlasspane((s) => s.runStartedAt);
  // Set once the engine's first snapshot is in (tests wait for it before navigating).
  const synced = useGlasspane((s) => s.sequence !== null);
  const c = capture.counters;
  const busy = capture.state === 'running' || capture.state === 'starting';
  const source = capture.source;
  return (
    <footer className="statusbar" data-testid="status" data-synced={synced}>
      <span className={`state state-${capture.state}`}>{STATE_LABEL[capture.state]}</span>
      {busy && <ProgressBar progress={capture.progress ?? null} />}
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
