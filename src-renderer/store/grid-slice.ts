/**
 * The inventory grid's view: sort, filters, search, columns shown and their order, and the views the
 * user saved by name. The current view and the saved ones persist in localStorage.
 */
import type { Slice } from './slice';

export interface SortEntry {
  id: string;
  desc: boolean;
}

export interface GridView {
  sorting: SortEntry[];
  /** Column id -> filter text ("=value" for an exact match). */
  filters: Record<string, string>;
  search: string;
  visibility: Record<string, boolean>;
  order: string[];
}

export interface GridSlice {
  grid: GridView;
  savedViews: Record<string, GridView>;
  setGrid(patch: Partial<GridView>): void;
  setFilter(column: string, value: string): void;
  saveView(name: string): void;
  loadView(name: string): void;
  deleteView(name: string): void;
  resetGrid(): void;
}

const CURRENT_KEY = 'glasspane.grid.current';
const SAVED_KEY = 'glasspane.grid.views';
const MAX_VIEWS = 50;

export const EMPTY_VIEW: GridView = { sorting: [], filters: {}, search: '', visibility: {}, order: [] };

/** A stored view, checked field by field: localStorage is ours, but may hold an older shape. */
function asView(x: unknown): GridView | null {
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  const sorting = Array.isArray(o.sorting)
    ? o.sorting
        .filter(
          (s): s is SortEntry =>
            typeof s === 'object' && s !== null && typeof s.id === 'string' && typeof s.desc === 'boolean',
        )
        .slice(0, 8)
    : [];
  const strRecord = <T>(v: unknown, ok: (x: unknown) => x is T): Record<string, T> => {
    const out: Record<string, T> = {};
    if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) if (ok(x)) out[k] = x;
    return out;
  };
  return {
    sorting,
    filters: strRecord(o.filters, (v): v is string => typeof v === 'string'),
    search: typeof o.search === 'string' ? o.search : '',
    visibility: strRecord(o.visibility, (v): v is boolean => typeof v === 'boolean'),
    order: Array.isArray(o.order)
      ? o.order.filter((s): s is string => typeof s === 'string').slice(0, 64)
      : [],
  };
}

function load<T>(key: string, parse: (x: unknown) => T | null, fallback: T): T {
  try {
    const raw = globalThis.localStorage?.getItem(key);
    return raw ? (parse(JSON.parse(raw)) ?? fallback) : fallback;
  } catch {
    return fallback;
  }
}

function save(key: string, value: unknown): void {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the view lasts for this page view.
  }
}

function asViews(x: unknown): Record<string, GridView> | null {
  if (typeof x !== 'object' || x === null) return null;
  const out: Record<string, GridView> = {};
  for (const [k, v] of Object.entries(x).slice(0, MAX_VIEWS)) {
    const view = asView(v);
    if (view) out[k.slice(0, 64)] = view;
  }
  return out;
}

export const gridSlice: Slice<GridSlice> = (set, get) => {
  const put = (grid: GridView) => {
    set({ grid });
    save(CURRENT_KEY, grid);
  };
  return {
    grid: load(CURRENT_KEY, asView, EMPTY_VIEW),
    savedViews: load(SAVED_KEY, asViews, {}),
    setGrid: (patch) => put({ ...get().grid, ...patch }),
    setFilter: (column, value) => {
      const filters = { ...get().grid.filters };
      if (value === '') delete filters[column];
      else filters[column] = value;
      put({ ...get().grid, filters });
    },
    saveView: (name) => {
      const n = name.trim().slice(0, 64);
      if (!n) return;
      const savedViews = { ...get().savedViews, [n]: get().grid };
      set({ savedViews });
      save(SAVED_KEY, savedViews);
    },
    loadView: (name) => {
      const v = get().savedViews[name];
      if (v) put(v);
    },
    deleteView: (name) => {
      const savedViews = { ...get().savedViews };
      delete savedViews[name];
      set({ savedViews });
      save(SAVED_KEY, savedViews);
    },
    resetGrid: () => put(EMPTY_VIEW),
  };
};
