import type { LiveAvailability as Live } from '../../shared/ipc/contract';

export function LiveAvailability({ live }: { live: Live }) {
  if (live.available) {
    return (
      <p className="live live-ok" data-testid="live-availability">
        Live capture is available.
      </p>
    );
  }
  return (
    <div className="live live-unavailable" data-testid="live-availability">
      <p>
        <strong>Live capture is unavailable.</strong> {live.reason}
      </p>
      <p className="fix">
        <span className="muted">To fix: </span>
        {live.fix}
      </p>
    </div>
  );
}
