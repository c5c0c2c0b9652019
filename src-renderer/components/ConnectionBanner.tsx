import { useEffect, useState } from 'react';
import { useGlasspane } from '../context';

/** Says when the engine is out of reach, and why; silent while connected. */
export function ConnectionBanner() {
  const connection = useGlasspane((s) => s.connection);
  const [now, setNow] = useState(() => Date.now());
  const retryAt = connection.kind === 'disconnected' ? connection.retryAt : null;

  useEffect(() => {
    if (retryAt === null) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [retryAt]);

  if (connection.kind === 'connected') return null;
  if (connection.kind === 'connecting') {
    return (
      <div className="banner banner-info" role="status" data-testid="connection">
        Connecting to the Glasspane engine…
      </div>
    );
  }
  const seconds = retryAt === null ? null : Math.max(0, Math.ceil((retryAt - now) / 1000));
  return (
    <div className="banner banner-warn" role="alert" data-testid="connection">
      <strong>Not connected.</strong> {connection.reason}
      {seconds !== null && <span className="muted"> Retrying in {seconds} s.</span>}
    </div>
  );
}
