import { CaptureStatusLine } from './CaptureStatusLine';
import { ConnectionBanner } from './ConnectionBanner';
import { OpenCapture } from './OpenCapture';
import { SourcesPanel } from './SourcesPanel';

export function App() {
  return (
    <div className="app">
      <header className="titlebar">
        <h1>Glasspane</h1>
        <span className="muted">Passive device visibility</span>
      </header>
      <ConnectionBanner />
      <main className="content">
        <SourcesPanel />
        <OpenCapture />
      </main>
      <CaptureStatusLine />
    </div>
  );
}
