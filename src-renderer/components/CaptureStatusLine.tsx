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

export function CaptureStatusLine() {
  const capture = useGlasspane((s) => s.capture);
  const deviceCount = useGlasspane((s) => s.devices.size);
  const c = capture.counters;
  return (
    <footer className="statusbar" data-testid="status">
      <span className={`state state-${capture.state}`}>{STATE_LABEL[capture.state]}</span>
      <span>{fmt.format(deviceCount)} devices</span>
      <span>{fmt.format(c.packets)} packets</span>
      <span>{fmt.format(c.bytes)} bytes</span>
      <span>{fmt.format(c.drops)} dropped</span>
      <span>{fmt.format(c.malformed)} malformed</span>
      {capture.message && <span className="error">{capture.message}</span>}
    </footer>
  );
}
