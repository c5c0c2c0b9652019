/** Saved grid views (sort, filters, search, columns), restored by name; kept in localStorage. */
import { useState, type FormEvent } from 'react';
import { useGlasspane, useStoreApi } from '../context';

export function ViewsMenu() {
  const saved = useGlasspane((s) => s.savedViews);
  const store = useStoreApi();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const names = Object.keys(saved).sort();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    store.getState().saveView(name);
    setNaming(false);
    setName('');
  };

  return (
    <div className="views">
      <select
        aria-label="Saved views"
        value=""
        onChange={(e) => {
          const v = e.target.value;
          if (v === '\u0000reset') store.getState().resetGrid();
          else if (v) store.getState().loadView(v);
        }}
      >
        <option value="">Views…</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
        <option value={'\u0000reset'}>Reset view</option>
      </select>
      {naming ? (
        <form onSubmit={submit} className="inline-form">
          <input
            aria-label="View name"
            autoFocus
            value={name}
            maxLength={64}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setNaming(false)}
          />
          <button type="submit" disabled={!name.trim()}>
            Save
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => setNaming(true)}>
          Save view
        </button>
      )}
    </div>
  );
}
