/**
 * The inventory grid's columns, built once at module scope (TanStack: stable columns). Each column
 * has a sort key (accessor), a display text (what filters match and what exports write), and a
 * width. Cells render `text()` as React text: nothing from the network becomes markup.
 */
import {
  columnFacetingFeature,
  columnFilteringFeature,
  columnOrderingFeature,
  columnSizingFeature,
  columnVisibilityFeature,
  createColumnHelper,
  createFacetedRowModel,
  createFacetedUniqueValues,
  createFilteredRowModel,
  createSortedRowModel,
  rowSortingFeature,
  tableFeatures,
  type ColumnDef,
  type Row,
} from '@tanstack/react-table';
import type { DeviceJson } from '../../shared/model/inventory';
import { displayName, fmtBytes, fmtTime, ipv4Number, purdueLevel, subnetOf } from '../util/format';

export const features = tableFeatures({
  columnFilteringFeature,
  filteredRowModel: createFilteredRowModel(),
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  columnFacetingFeature,
  facetedRowModel: createFacetedRowModel(),
  facetedUniqueValues: createFacetedUniqueValues(),
  columnVisibilityFeature,
  columnOrderingFeature,
  columnSizingFeature,
});

export type Features = typeof features;
export type DeviceRow = Row<Features, DeviceJson>;

type SortKey = string | number | undefined;

export interface ColumnSpec {
  id: string;
  label: string;
  width: number;
  /** The value sorted by; undefined sorts last. */
  key(d: DeviceJson): SortKey;
  /** The text shown, filtered and exported. */
  text(d: DeviceJson): string;
  /** Values this column contributes to facets (category, type, vendor, subnet). */
  facet?: boolean;
  numeric?: boolean;
  mono?: boolean;
  hiddenByDefault?: boolean;
}

const opt = (v: string | null): string | undefined => (v === null || v === '' ? undefined : v);
const list = (xs: readonly (string | number)[]): string => xs.join(', ');

export const COLUMNS: readonly ColumnSpec[] = [
  { id: 'name', label: 'Name', width: 190, key: (d) => displayName(d).toLowerCase(), text: displayName },
  {
    id: 'ips',
    label: 'IP addresses',
    width: 140,
    mono: true,
    key: (d) => ipv4Number(d.ips[0] ?? null) ?? (d.ips[0] !== undefined ? 2 ** 32 + 1 : undefined),
    text: (d) => list(d.ips),
  },
  { id: 'mac', label: 'MAC', width: 140, mono: true, key: (d) => opt(d.mac), text: (d) => d.mac ?? '' },
  {
    id: 'vendor',
    label: 'Vendor',
    width: 160,
    facet: true,
    key: (d) => opt(d.vendor),
    text: (d) => d.vendor ?? '',
  },
  {
    id: 'category',
    label: 'Category',
    width: 110,
    facet: true,
    key: (d) => opt(d.category),
    text: (d) => d.category ?? '',
  },
  { id: 'type', label: 'Type', width: 110, facet: true, key: (d) => opt(d.type), text: (d) => d.type ?? '' },
  { id: 'model', label: 'Model', width: 140, key: (d) => opt(d.model), text: (d) => d.model ?? '' },
  { id: 'os', label: 'OS', width: 120, key: (d) => opt(d.os), text: (d) => d.os ?? '' },
  {
    id: 'firmware',
    label: 'Firmware',
    width: 110,
    key: (d) => opt(d.firmware),
    text: (d) => d.firmware ?? '',
  },
  {
    id: 'protocols',
    label: 'Protocols',
    width: 170,
    key: (d) => (d.protocols.length ? d.protocols.join(',') : undefined),
    text: (d) => list(d.protocols),
  },
  {
    id: 'vlan',
    label: 'VLAN',
    width: 64,
    numeric: true,
    key: (d) => d.vlans[0],
    text: (d) => list(d.vlans),
  },
  {
    id: 'purdue',
    label: 'Purdue',
    width: 68,
    numeric: true,
    key: (d) => purdueLevel(d) ?? undefined,
    text: (d) => (purdueLevel(d) === null ? '' : `L${purdueLevel(d)}`),
  },
  {
    id: 'subnet',
    label: 'Subnet',
    width: 130,
    mono: true,
    facet: true,
    hiddenByDefault: true,
    key: (d) => subnetOf(d),
    text: (d) => subnetOf(d),
  },
  {
    id: 'firstSeen',
    label: 'First seen',
    width: 150,
    key: (d) => d.firstSeen,
    text: (d) => fmtTime(d.firstSeen),
  },
  {
    id: 'lastSeen',
    label: 'Last seen',
    width: 150,
    key: (d) => d.lastSeen,
    text: (d) => fmtTime(d.lastSeen),
  },
  {
    id: 'traffic',
    label: 'Traffic',
    width: 90,
    numeric: true,
    key: (d) => d.bytes,
    text: (d) => fmtBytes(d.bytes),
  },
  {
    id: 'packets',
    label: 'Packets',
    width: 84,
    numeric: true,
    hiddenByDefault: true,
    key: (d) => d.packets,
    text: (d) => String(d.packets),
  },
  {
    // Where a sensors' console saw it (serve --nats); absent from a capture of this machine's own, so
    // hidden until chosen (the Site facet shows whenever devices have one), and last so the columns
    // and exports of a local capture stay as they were.
    id: 'site',
    label: 'Site',
    width: 100,
    facet: true,
    hiddenByDefault: true,
    key: (d) => opt(d.site ?? null),
    text: (d) => d.site ?? '',
  },
];

export const COLUMN_BY_ID: ReadonlyMap<string, ColumnSpec> = new Map(COLUMNS.map((c) => [c.id, c]));
export const DEFAULT_ORDER: readonly string[] = COLUMNS.map((c) => c.id);
export const DEFAULT_VISIBILITY: Readonly<Record<string, boolean>> = Object.fromEntries(
  COLUMNS.map((c) => [c.id, !c.hiddenByDefault]),
);

/**
 * A column filter: "=value" matches the column's value exactly (facets set these), anything else is a
 * case-insensitive substring of the shown text.
 */
export function matchesFilter(spec: ColumnSpec, d: DeviceJson, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (f === '') return true;
  if (f.startsWith('=')) {
    const want = f.slice(1);
    const k = spec.key(d);
    return want === '' ? k === undefined : String(k ?? '').toLowerCase() === want;
  }
  return spec.text(d).toLowerCase().includes(f);
}

function compare(a: SortKey, b: SortKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

const helper = createColumnHelper<Features, DeviceJson>();

/** The table's column definitions: built once, here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- TanStack's own spelling for mixed value types
export const columnDefs: ColumnDef<Features, DeviceJson, any>[] = COLUMNS.map((spec) =>
  helper.accessor((d: DeviceJson) => spec.key(d), {
    id: spec.id,
    header: spec.label,
    size: spec.width,
    sortUndefined: 'last',
    sortFn: (a, b, id) => compare(a.getValue(id) as SortKey, b.getValue(id) as SortKey),
    filterFn: (row, _id, value) => typeof value !== 'string' || matchesFilter(spec, row.original, value),
  }),
);

const searchCache = new WeakMap<DeviceJson, string>();

/** Everything a global search can match for one device, lower-cased; cached per device object. */
export function searchText(d: DeviceJson): string {
  let s = searchCache.get(d);
  if (s === undefined) {
    s = [
      displayName(d),
      d.id,
      d.site ?? '',
      d.mac ?? '',
      ...d.ips,
      d.vendor ?? '',
      d.ouiVendor ?? '',
      d.category ?? '',
      d.type ?? '',
      d.model ?? '',
      d.os ?? '',
      d.firmware ?? '',
      d.serial ?? '',
      ...d.hostnames.map((h) => h.name),
      ...d.roles,
      ...d.protocols,
    ]
      .join('\n')
      .toLowerCase();
    searchCache.set(d, s);
  }
  return s;
}

/** Terms separated by spaces must all match (AND), as in most inventory searches. */
export function matchesSearch(d: DeviceJson, terms: readonly string[]): boolean {
  if (terms.length === 0) return true;
  const s = searchText(d);
  return terms.every((t) => s.includes(t));
}

export function searchTerms(q: string): string[] {
  return q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 16);
}
