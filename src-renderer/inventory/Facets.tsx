/**
 * Facet counts for site, category, type, vendor and subnet: each list counts the devices that pass every
 * other filter (TanStack's faceted row model), so the numbers say what a click would leave.
 */
import { useState } from 'react';
import { useGlasspane, useStoreApi } from '../context';
import type { InventoryTable } from './InventoryGrid';

const FACETS = [
  { id: 'site', label: 'Site' },
  { id: 'category', label: 'Category' },
  { id: 'type', label: 'Type' },
  { id: 'vendor', label: 'Vendor' },
  { id: 'subnet', label: 'Subnet' },
] as const;

const SHOWN = 8;

export function Facets({ table }: { table: InventoryTable }) {
  const filters = useGlasspane((s) => s.grid.filters);
  const store = useStoreApi();
  const [more, setMore] = useState<Record<string, boolean>>({});
  return (
    <aside className="facets" aria-label="Facets" data-testid="facets">
      {FACETS.map((f) => {
        const col = table.getColumn(f.id);
        const counts = col ? [...col.getFacetedUniqueValues().entries()] : [];
        counts.sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
        // Sites exist only in a sensors' console: no facet of one "(unknown)" value elsewhere.
        if (f.id === 'site' && counts.every(([v]) => v === undefined || v === null)) return null;
        const active = filters[f.id];
        const shown = more[f.id] ? counts.slice(0, 200) : counts.slice(0, SHOWN);
        return (
          <section key={f.id} className="facet" data-facet={f.id}>
            <h3>
              {f.label}
              {active && (
                <button type="button" className="link" onClick={() => store.getState().setFilter(f.id, '')}>
                  clear
                </button>
              )}
            </h3>
            <ul>
              {shown.map(([value, n]) => {
                const label = value === undefined || value === null ? '(unknown)' : String(value);
                const filter =
                  '=' + (value === undefined || value === null ? '' : String(value)).toLowerCase();
                const on = active?.toLowerCase() === filter;
                return (
                  <li key={label}>
                    <button
                      type="button"
                      className={`facet-value ${on ? 'on' : ''}`}
                      aria-pressed={on}
                      title={label}
                      onClick={() => store.getState().setFilter(f.id, on ? '' : filter)}
                    >
                      <span className="facet-label">{label}</span>
                      <span className="facet-count">{n}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
            {counts.length > SHOWN && (
              <button
                type="button"
                className="link"
                onClick={() => setMore({ ...more, [f.id]: !more[f.id] })}
              >
                {more[f.id] ? 'fewer' : `${counts.length - SHOWN} more`}
              </button>
            )}
          </section>
        );
      })}
    </aside>
  );
}
