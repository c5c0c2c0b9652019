import { useState, type FormEvent } from 'react';
import { useGlasspane, useLink } from '../context';

/**
 * "Open capture file…": the desktop app shows its own file dialog; the browser console has none of
 * the engine's files to browse, so it asks for a path on the engine's machine instead.
 */
export function OpenCapture() {
  const link = useLink();
  const connected = useGlasspane((s) => s.connection.kind === 'connected');
  const actionError = useGlasspane((s) => s.actionError);
  const [askPath, setAskPath] = useState(false);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);

  const pick = async () => {
    setBusy(true);
    try {
      if (!(await link.pickAndOpenCapture())) setAskPath(true);
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = path.trim();
    if (!p) return;
    setBusy(true);
    try {
      await link.openCapture([p]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="open-heading">
      <header className="panel-header">
        <h2 id="open-heading">Capture file</h2>
      </header>
      <p className="muted">Analyse a pcap or pcapng file: no capture rights needed.</p>
      <button type="button" className="primary" disabled={!connected || busy} onClick={() => void pick()}>
        Open capture file…
      </button>
      {askPath && (
        <form className="path-form" onSubmit={(e) => void submit(e)}>
          <label htmlFor="capture-path">Path on the engine’s machine</label>
          <input
            id="capture-path"
            type="text"
            spellCheck={false}
            value={path}
            maxLength={4096}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/path/to/capture.pcapng"
          />
          <button type="submit" disabled={!connected || busy || path.trim() === ''}>
            Open
          </button>
        </form>
      )}
      {actionError && (
        <p className="error" role="alert">
          {actionError}
        </p>
      )}
    </section>
  );
}
