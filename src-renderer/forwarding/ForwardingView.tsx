/**
 * The Forwarding settings: the SIEM destinations the engine forwards to (added and removed here,
 * kept by the engine in its data folder) and each one's queue, live: the numbers of
 * `glasspane forward status`. Secrets never pass through here: a URI names a secret file or an
 * environment variable, and the engine refuses one that holds a secret.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { ForwardingState } from '../../shared/ipc/forwarding-schema';
import { useLink } from '../context';

const KINDS = ['discovered', 'changed', 'not-seen', 'alert', 'snapshot'] as const;
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

type Loaded =
  | { kind: 'loading' }
  | { kind: 'unsupported' }
  | { kind: 'failed'; message: string }
  | { kind: 'loaded'; state: ForwardingState };

export function ForwardingView() {
  const link = useLink();
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [uri, setUri] = useState('');
  const [kinds, setKinds] = useState<Set<string>>(new Set(KINDS));
  const [minSeverity, setMinSeverity] = useState<string>('info');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    const off = link.onForwardState((state) => live && setLoaded({ kind: 'loaded', state }));
    void link.optional('getForwarding', {}).then((r) => {
      if (!live) return;
      if (r.ok) setLoaded({ kind: 'loaded', state: r.value });
      else setLoaded(r.unsupported ? { kind: 'unsupported' } : { kind: 'failed', message: r.message });
    });
    return () => {
      live = false;
      off();
    };
  }, [link]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (kinds.size === 0) {
      setError('choose at least one kind of event');
      return;
    }
    setBusy(true);
    setError(null);
    // The URI's own filter parameters stay when the form asks for everything.
    const all = kinds.size === KINDS.length;
    const r = await link.optional('addForwardDestination', {
      uri: uri.trim(),
      ...(all ? {} : { kinds: KINDS.filter((k) => kinds.has(k)) }),
      ...(minSeverity !== 'info' ? { minSeverity: minSeverity as (typeof SEVERITIES)[number] } : {}),
    });
    setBusy(false);
    if (r.ok) {
      setLoaded({ kind: 'loaded', state: r.value });
      setUri('');
    } else setError(r.message);
  };

  const remove = async (id: string) => {
    setError(null);
    const r = await link.optional('removeForwardDestination', { id });
    if (r.ok) setLoaded({ kind: 'loaded', state: r.value });
    else setError(r.message);
  };

  const toggle = (k: string) => {
    const next = new Set(kinds);
    if (next.has(k)) next.delete(k);
    else next.add(k);
    setKinds(next);
  };

  return (
    <div className="content">
      <section className="panel" aria-labelledby="forwarding-heading">
        <header className="panel-header">
          <h2 id="forwarding-heading">Forwarding</h2>
        </header>
        {loaded.kind === 'unsupported' && (
          <p className="muted">
            This engine does not forward to a SIEM (it is older than the Forwarding settings).
          </p>
        )}
        {loaded.kind === 'failed' && <p className="error">{loaded.message}</p>}
        {loaded.kind !== 'unsupported' && (
          <form className="forward-form" onSubmit={(e) => void add(e)} aria-label="Add a destination">
            <label>
              Destination URI{' '}
              <input
                type="text"
                name="uri"
                value={uri}
                size={60}
                spellCheck={false}
                placeholder="syslog+tcp://siem.example:514?format=cef"
                onChange={(e) => setUri(e.target.value)}
              />
            </label>
            <fieldset>
              <legend>Events</legend>
              {KINDS.map((k) => (
                <label key={k}>
                  <input type="checkbox" checked={kinds.has(k)} onChange={() => toggle(k)} /> {k}
                </label>
              ))}
            </fieldset>
            <label>
              Minimum severity{' '}
              <select value={minSeverity} onChange={(e) => setMinSeverity(e.target.value)}>
                {SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="primary" disabled={busy || uri.trim() === ''}>
              Add
            </button>
            <p className="muted small">
              Secrets only as a file or an environment variable: secret-file=PATH, token-file=PATH,
              secret-env=NAME or token-env=NAME (docs/forwarding.md).
            </p>
            {error !== null && (
              <p className="error" role="alert" data-testid="forward-error">
                {error}
              </p>
            )}
          </form>
        )}
        {loaded.kind === 'loaded' && loaded.state.destinations.length === 0 && (
          <p className="muted">No destinations yet.</p>
        )}
        {loaded.kind === 'loaded' && loaded.state.destinations.length > 0 && (
          <table className="forward-queues" data-testid="forward-queues">
            <thead>
              <tr>
                <th scope="col">Destination</th>
                <th scope="col">Queued</th>
                <th scope="col">Sent</th>
                <th scope="col">Failed</th>
                <th scope="col">Dropped</th>
                <th scope="col">Last error</th>
                <th scope="col" aria-label="Remove" />
              </tr>
            </thead>
            <tbody>
              {loaded.state.destinations.map((d) => (
                <tr key={d.id} data-testid="forward-row" data-id={d.id}>
                  <td className="forward-uri">{d.uri}</td>
                  <td data-col="queued">{d.queued}</td>
                  <td data-col="sent">{d.sent}</td>
                  <td data-col="failed">{d.failed}</td>
                  <td data-col="dropped">{d.dropped}</td>
                  <td data-col="lastError">
                    {d.lastError !== null ? `${d.lastErrorAt ?? ''} ${d.lastError}`.trim() : '-'}
                  </td>
                  <td>
                    <button type="button" className="danger" onClick={() => void remove(d.id)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
