/**
 * The inventory grid: TanStack Table for sort and filters, TanStack Virtual for rows, so 100k devices
 * scroll smoothly (only the rows in view exist in the DOM). Rows have a fixed height (no measuring),
 * ids are the device ids (stable across batches), columns are built once (columns.ts).
 */
import { useTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import type { DeviceJson } from '../../shared/model/inventory';
import { useGlasspane, useStoreApi } from '../context';
import { HIGHLIGHT_MS, type Recent } from '../store/devices-slice';
import { columnDefs, COLUMN_BY_ID, features, matchesSearch, searchTerms, type ColumnSpec } from './columns';
import { applyUpdater, filtersRecord, tableState } from './grid-state';

export const ROW_HEIGHT = 28;

const getRowId = (d: DeviceJson) => d.id;

export interface GridModel {
  rows: readonly DeviceJson[];
  cols: readonly ColumnSpec[];
  facets: ReadonlyMap<string, Map<unknown, number>>;
  total: number;
}

/** The table model: the store's devices through search, filters and sort. */
export function useInventoryTable() {
  const deviceList = useGlasspane((s) => s.deviceList);
  const grid = useGlasspane((s) => s.grid);
  const store = useStoreApi();
  const state = useMemo(() => tableState(grid), [grid]);
  const terms = useMemo(() => searchTerms(grid.search), [grid.search]);
  // The global search runs before the table, over a cached text per device (cheaper than per cell).
  const data = useMemo(
    () =>
      terms.length === 0 ? (deviceList as DeviceJson[]) : deviceList.filter((d) => matchesSearch(d, terms)),
    [deviceList, terms],
  );
  const table = useTable({
    features,
    columns: columnDefs,
    data,
    getRowId,
    state,
    onSortingChange: (u) => store.getState().setGrid({ sorting: applyUpdater(u, state.sorting) }),
    onColumnFiltersChange: (u) =>
      store.getState().setGrid({ filters: filtersRecord(applyUpdater(u, state.columnFilters)) }),
    onColumnVisibilityChange: (u) =>
      store.getState().setGrid({ visibility: applyUpdater(u, state.columnVisibility) }),
    onColumnOrderChange: (u) => store.getState().setGrid({ order: applyUpdater(u, state.columnOrder) }),
    enableMultiSort: true,
    isMultiSortEvent: (e: unknown) => (e as { shiftKey?: boolean }).shiftKey === true,
  });
  return { table, data, state };
}

export type InventoryTable = ReturnType<typeof useInventoryTable>['table'];

interface RowProps {
  device: DeviceJson;
  index: number;
  start: number;
  cols: readonly ColumnSpec[];
  selected: boolean;
  recent: Recent | undefined;
  onPick(id: string, index: number, open: boolean): void;
}

const GridRow = memo(function GridRow({ device, index, start, cols, selected, recent, onPick }: RowProps) {
  const age = recent ? Date.now() - recent.at : HIGHLIGHT_MS;
  const flash = age < HIGHLIGHT_MS ? `row-${recent!.kind}` : '';
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-id={device.id}
      className={`grid-row ${index % 2 ? 'odd' : ''} ${selected ? 'selected' : ''} ${flash}`}
      // Negative delay: a row scrolled into view mid-highlight shows the rest of it, not a restart.
      style={{ transform: `translateY(${start}px)`, animationDelay: flash ? `-${age}ms` : undefined }}
      onClick={(e: MouseEvent) => onPick(device.id, index, e.detail >= 2)}
    >
      {cols.map((c) => {
        const t = c.text(device);
        return (
          <div
            key={c.id}
            role="gridcell"
            className={`cell ${c.mono ? 'mono' : ''} ${c.numeric ? 'num' : ''}`}
            style={{ width: c.width }}
            title={t}
          >
            {t}
          </div>
        );
      })}
    </div>
  );
});

export function InventoryGrid({ table }: { table: InventoryTable }) {
  const store = useStoreApi();
  const selected = useGlasspane((s) => s.selected);
  const selectionTick = useGlasspane((s) => s.selectionTick);
  const recent = useGlasspane((s) => s.recent);
  const scrollRef = useRef<HTMLDivElement>(null);

  const rows = table.getRowModel().rows;
  const visibleIds = table
    .getVisibleLeafColumns()
    .map((c) => c.id)
    .join(',');
  const cols = useMemo(() => visibleIds.split(',').flatMap((id) => COLUMN_BY_ID.get(id) ?? []), [visibleIds]);
  const width = cols.reduce((n, c) => n + c.width, 0);

  // Stable option functions: a new getItemKey would make the virtualizer re-measure every row on every
  // scroll frame (its memo keys on the function), which at 100k rows is most of a frame.
  const getItemKey = useCallback((i: number) => rows[i]?.id ?? i, [rows]);
  const getScrollElement = useCallback(() => scrollRef.current, []);
  const estimateSize = useCallback(() => ROW_HEIGHT, []);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement,
    estimateSize,
    getItemKey,
    overscan: 8,
  });

  const rowsRef = useRef(rows);
  rowsRef.current = rows;

  const indexOf = useCallback((id: string | null) => {
    if (id === null) return -1;
    const rs = rowsRef.current;
    for (let i = 0; i < rs.length; i++) if (rs[i]!.id === id) return i;
    return -1;
  }, []);

  // A selection made elsewhere (graph, search) scrolls the grid to it.
  useEffect(() => {
    const s = store.getState();
    if (s.selectionOrigin === 'grid' || s.selected === null) return;
    const i = indexOf(s.selected);
    if (i >= 0) virtualizer.scrollToIndex(i, { align: 'center' });
  }, [selectionTick, store, indexOf, virtualizer]);

  const onPick = useCallback(
    (id: string, _index: number, open: boolean) => {
      if (open) store.getState().openDetails(id, 'grid');
      else store.getState().select(id, 'grid');
    },
    [store],
  );

  const onKeyDown = (e: KeyboardEvent) => {
    const rs = rowsRef.current;
    if (rs.length === 0) return;
    const cur = indexOf(store.getState().selected);
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / ROW_HEIGHT) - 2);
    let next = cur;
    switch (e.key) {
      case 'ArrowDown':
        next = cur < 0 ? 0 : Math.min(rs.length - 1, cur + 1);
        break;
      case 'ArrowUp':
        next = cur < 0 ? 0 : Math.max(0, cur - 1);
        break;
      case 'PageDown':
        next = Math.min(rs.length - 1, Math.max(0, cur) + page);
        break;
      case 'PageUp':
        next = Math.max(0, cur - page);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = rs.length - 1;
        break;
      case 'Enter':
        if (cur >= 0) store.getState().openDetails(rs[cur]!.id, 'grid');
        e.preventDefault();
        return;
      case 'Escape':
        store.getState().closeDetails();
        return;
      default:
        return;
    }
    e.preventDefault();
    store.getState().select(rs[next]!.id, 'grid');
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const headers = table.getHeaderGroups()[0]?.headers ?? [];
  const filters = useGlasspane((s) => s.grid.filters);

  return (
    <div
      className="grid"
      role="grid"
      aria-label="Device inventory"
      aria-rowcount={rows.length + 1}
      aria-colcount={cols.length}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="grid"
      data-rows={rows.length}
    >
      <div className="grid-scroll" ref={scrollRef} data-testid="grid-scroll">
        <div className="grid-head" role="rowgroup" style={{ width }}>
          <div role="row" className="grid-head-row">
            {headers.map((h) => {
              const spec = COLUMN_BY_ID.get(h.column.id);
              if (!spec) return null;
              const sorted = h.column.getIsSorted();
              return (
                <div
                  key={h.id}
                  role="columnheader"
                  className={`head-cell ${spec.numeric ? 'num' : ''}`}
                  style={{ width: spec.width }}
                  aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                >
                  <button
                    type="button"
                    className="sort"
                    data-col={spec.id}
                    title="Sort (Shift+click adds a sort)"
                    onClick={(e) => h.column.getToggleSortingHandler()?.(e)}
                  >
                    {spec.label}
                    <span className="sort-mark" aria-hidden>
                      {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                    </span>
                  </button>
                </div>
              );
            })}
          </div>
          <div role="row" className="grid-filter-row">
            {headers.map((h) => {
              const spec = COLUMN_BY_ID.get(h.column.id);
              if (!spec) return null;
              return (
                <div key={h.id} className="head-cell filter-cell" style={{ width: spec.width }}>
                  <input
                    type="search"
                    aria-label={`Filter ${spec.label}`}
                    data-filter={spec.id}
                    placeholder="filter"
                    value={filters[spec.id] ?? ''}
                    maxLength={256}
                    onChange={(e) => store.getState().setFilter(spec.id, e.target.value)}
                    onKeyDown={(e) => e.stopPropagation()}
                  />
                </div>
              );
            })}
          </div>
        </div>
        <div role="rowgroup" className="grid-body" style={{ height: virtualizer.getTotalSize(), width }}>
          {virtualizer.getVirtualItems().map((v) => {
            const row = rows[v.index];
            if (!row) return null;
            return (
              <GridRow
                key={row.id}
                device={row.original}
                index={v.index}
                start={v.start}
                cols={cols}
                selected={row.id === selected}
                recent={recent.get(row.id)}
                onPick={onPick}
              />
            );
          })}
        </div>
        {rows.length === 0 && <p className="grid-empty muted">No devices match.</p>}
      </div>
    </div>
  );
}
