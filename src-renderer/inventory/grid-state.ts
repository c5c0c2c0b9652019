/** Turns the stored grid view into TanStack table state and back; memoised by the caller. */
import type { ColumnFiltersState, SortingState, Updater } from '@tanstack/react-table';
import type { GridView } from '../store/grid-slice';
import { COLUMN_BY_ID, DEFAULT_ORDER, DEFAULT_VISIBILITY } from './columns';

export function tableState(grid: GridView) {
  const sorting: SortingState = grid.sorting.filter((s) => COLUMN_BY_ID.has(s.id));
  const columnFilters: ColumnFiltersState = Object.entries(grid.filters)
    .filter(([id, v]) => COLUMN_BY_ID.has(id) && v !== '')
    .map(([id, value]) => ({ id, value }));
  const columnVisibility = { ...DEFAULT_VISIBILITY, ...grid.visibility };
  // Stored order first, then any column added since the view was saved.
  const known = grid.order.filter((id) => COLUMN_BY_ID.has(id));
  const columnOrder = [...known, ...DEFAULT_ORDER.filter((id) => !known.includes(id))];
  return { sorting, columnFilters, columnVisibility, columnOrder };
}

export function applyUpdater<T>(u: Updater<T>, current: T): T {
  return typeof u === 'function' ? (u as (old: T) => T)(current) : u;
}

export function filtersRecord(f: ColumnFiltersState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { id, value } of f) if (typeof value === 'string' && value !== '') out[id] = value;
  return out;
}
