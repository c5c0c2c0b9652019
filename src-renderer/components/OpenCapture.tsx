import { useState, type DragEvent, type FormEvent } from 'react';
import { useGlasspane, useLink, useStoreApi } from '../context';

/**
 * The path of a dropped file, where the host can tell it: Electron's preload exposes
 * webUtils.getPathForFile as `pathForFile`. A browser never reveals paths: the path field is the way there.
 */
function droppedPath(file: File): string | null {
  try {
    const p = window.glasspane?.pathForFile?.(file);
    return typeof p === 'string' && p.length > 0 ? p : null;
  } catch {
    return null;
  }
}

/**
 * "Open capture file…": the desktop app shows its own file dialog; the browser console has none of
 * the engine's files to browse, so it asks for a path on the engine's machine instead. Files can be
 * dropped in the desktop app; a demo capture is offered when the host has one.
 */
export function OpenCapture() {
  const link = useLink();
  const store = useStoreApi();
  const connected = useGlasspane((s) => s.connection.kind === 'connected');
  const actionError = useGlasspane((s) => s.actionError);
  const demoPath = useGlasspane((s) => s.demoPath);
  const [askPath, setAskPath] = useState(false);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [dropNote, setDropNote] = useState<string | null>(null);

  const open = async (paths: string[]) => {
    setBusy(true);
    try {
      await link.openCapture(paths);
      if (!store.getState().actionError) store.getState().setView('inventory');
    } finally {
      setBusy(false);
    }
  };

  const pick = async () => {
    setBusy(true);
    try {
      if (!(await link.pickAndOpenCapture())) setAskPath(true);
      else if (!store.getState().actionError && store.getState().capture.state !== 'idle') {
        store.getState().setView('inventory');
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = path.trim();
    if (p) void open([p]);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files].slice(0, 256);
    const paths = files.map(droppedPath).filter((p): p is string => p !== null);
    if (paths.length > 0) {
      setDropNote(null);
      void open(paths);
    } else if (files.length > 0) {
      setAskPath(true);
      setDropNote('This window cannot see where dropped files live; type the path on the engine’s machine.');
    }
  };

  return (
    <section
      className={`panel drop-target ${dragging ? 'dragging' : ''}`}
      aria-labelledby="open-heading"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <header className="panel-header">
        <h2 id="open-heading">Capture file</h2>
      </header>
      <p className="muted">Analyse a pcap or pcapng file: no capture rights needed. Drop files here, or:</p>
      <div className="actions">
        <button type="button" className="primary" disabled={!connected || busy} onClick={() => void pick()}>
          Open capture file…
        </button>
        {demoPath && (
          <button
            type="button"
            disabled={!connected || busy}
            onClick={() => void open([demoPath])}
            data-testid="open-demo"
          >
            Open demo capture
          </button>
        )}
      </div>
      {askPath && (
        <form className="path-form" onSubmit={submit}>
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
      {dropNote && <p className="muted small">{dropNote}</p>}
      {actionError && (
        <p className="error" role="alert">
          {actionError}
        </p>
      )}
    </section>
  );
}
