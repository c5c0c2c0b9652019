/** The inventory: search, facets, the grid, column and view controls, export. */
import { useMemo, useState } from 'react';
import { useGlasspane, useStoreApi } from '../context';
import { fmtCount } from '../util/format';
import { ColumnChooser } from './ColumnChooser';
import { COLUMN_BY_ID } from './columns';
import { ExportControl } from './ExportControl';
import { Facets } from './Facets';
import { InventoryGrid, useInventoryTable } from './InventoryGrid';
import { ViewsMenu } from './ViewsMenu';

export function InventoryView() {
  const { table, state } = useInventoryTable();
  const total = useGlasspane((s) => s.devices.size);
  const search = useGlasspane((s) => s.grid.search);
  const filterCount = useGlasspane((s) => Object.keys(s.grid.filters).length);
  const store = useStoreApi();
  const shown = table.getRowModel().rows.length;

  const visibleCols = useMemo(
    () =>
      state.columnOrder
        .filter((id) => state.columnVisibility[id] !== false)
        .flatMap((id) => COLUMN_BY_ID.get(id) ?? []),
    [state.columnOrder, state.columnVisibility],
  );

  const [exportMessage, setExportMessage] = useState<string | null>(null);

  return (
    <div className="inventory" data-testid="inventory">
      <div className="toolbar">
        <input
          type="search"
          className="search"
          aria-label="Search devices"
          placeholder="Search name, IP, MAC, vendor, model…"
          value={search}
          maxLength={256}
          onChange={(e) => store.getState().setGrid({ search: e.target.value })}
        />
        <span className="count" data-testid="grid-count">
          {shown === total
            ? `${fmtCount(total)} devices`
            : `${fmtCount(shown)} of ${fmtCount(total)} devices`}
        </span>
        {(filterCount > 0 || search) && (
          <button
            type="button"
            className="link"
            onClick={() => store.getState().setGrid({ filters: {}, search: '' })}
          >
            Clear filters
          </button>
        )}
        <span className="spacer" />
        <ViewsMenu />
        <ColumnChooser table={table} order={state.columnOrder} visibility={state.columnVisibility} />
        <ExportControl
          rows={() => table.getRowModel().rows.map((r) => r.original)}
          all={shown === total}
          cols={visibleCols}
          disabled={shown === 0}
          onMessage={setExportMessage}
        />
      </div>
      {exportMessage && (
        <p className="error" role="alert" data-testid="export-message" style={{ margin: '4px 12px' }}>
          {exportMessage}{' '}
          <button type="button" className="link" onClick={() => setExportMessage(null)}>
            Dismiss
          </button>
        </p>
      )}
      <div className="inventory-body">
        <Facets table={table} />
        <InventoryGrid table={table} />
      </div>
    </div>
  );
}
