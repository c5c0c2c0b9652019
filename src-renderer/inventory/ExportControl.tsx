/** The inventory's export: a format and a button; the rows the grid shows go out as that format. */
import { useEffect, useState } from 'react';
import type { DeviceJson } from '../../shared/model/inventory';
import { useGlasspane, useLink } from '../context';
import type { ColumnSpec } from './columns';
import { EXPORT_LABELS, exportRows, type ExportFormat } from './export-report';

const ENGINE_ONLY: readonly ExportFormat[] = ['html', 'pdf', 'ocsf'];

export function ExportControl(props: {
  rows: () => readonly DeviceJson[];
  all: boolean;
  cols: readonly ColumnSpec[];
  disabled: boolean;
  onMessage: (m: string | null) => void;
}) {
  const link = useLink();
  const reports = useGlasspane((s) => s.features.exportReport);
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [busy, setBusy] = useState(false);
  // An engine from before exportReport can still give CSV and JSON (made here), not reports.
  const formats = (Object.keys(EXPORT_LABELS) as ExportFormat[]).filter(
    (f) => reports !== false || !ENGINE_ONLY.includes(f),
  );
  const chosen = formats.includes(format) ? format : 'csv';

  const run = async () => {
    if (busy) return;
    setBusy(true);
    props.onMessage(null);
    try {
      const out = await exportRows(link, chosen, props.rows(), { all: props.all, cols: props.cols });
      props.onMessage(out.message);
    } catch (e) {
      props.onMessage(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(false);
    }
  };

  // File > Export… in the desktop app: the same export as the button, of the same rows.
  const pending = useGlasspane((s) => s.exportPending);
  const takeExport = useGlasspane((s) => s.takeExport);
  useEffect(() => {
    if (pending && takeExport()) {
      if (props.disabled) props.onMessage('Nothing to export: the grid shows no devices.');
      else void run();
    }
  });

  return (
    <div className="inline-form">
      <select
        aria-label="Export format"
        value={chosen}
        disabled={busy}
        onChange={(e) => setFormat(e.target.value as ExportFormat)}
      >
        {formats.map((f) => (
          <option key={f} value={f}>
            {EXPORT_LABELS[f]}
          </option>
        ))}
      </select>
      <button type="button" onClick={() => void run()} disabled={busy || props.disabled} aria-busy={busy}>
        {busy ? 'Exporting…' : 'Export'}
      </button>
    </div>
  );
}
