/** Which columns show, and in what order: a small popover with checkboxes and move buttons. */
import { useState } from 'react';
import { useStoreApi } from '../context';
import { COLUMN_BY_ID } from './columns';
import type { InventoryTable } from './InventoryGrid';

export function ColumnChooser({
  table,
  order,
  visibility,
}: {
  table: InventoryTable;
  order: string[];
  visibility: Record<string, boolean>;
}) {
  const [open, setOpen] = useState(false);
  const store = useStoreApi();
  const move = (id: string, by: number) => {
    const next = [...order];
    const i = next.indexOf(id);
    const j = i + by;
    if (i < 0 || j < 0 || j >= next.length) return;
    next.splice(i, 1);
    next.splice(j, 0, id);
    table.setColumnOrder(next);
  };
  return (
    <div className="popover-anchor">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        Columns
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Columns" data-testid="column-chooser">
          <ul className="column-list">
            {order.map((id, i) => {
              const spec = COLUMN_BY_ID.get(id);
              if (!spec) return null;
              return (
                <li key={id}>
                  <label>
                    <input
                      type="checkbox"
                      checked={visibility[id] !== false}
                      disabled={id === 'name'}
                      onChange={(e) => table.setColumnVisibility({ ...visibility, [id]: e.target.checked })}
                    />
                    {spec.label}
                  </label>
                  <span className="move">
                    <button
                      type="button"
                      aria-label={`Move ${spec.label} up`}
                      disabled={i === 0}
                      onClick={() => move(id, -1)}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      aria-label={`Move ${spec.label} down`}
                      disabled={i === order.length - 1}
                      onClick={() => move(id, 1)}
                    >
                      ↓
                    </button>
                  </span>
                </li>
              );
            })}
          </ul>
          <div className="popover-actions">
            <button type="button" onClick={() => store.getState().setGrid({ order: [], visibility: {} })}>
              Default columns
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Close
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
