import { createContext, useContext, type ReactNode } from 'react';
import type { Link } from './store/link';
import type { GlasspaneStore, Store } from './store/store';

interface AppContextValue {
  store: GlasspaneStore;
  link: Link;
}

const AppContext = createContext<AppContextValue | null>(null);

export function AppProvider({ store, link, children }: AppContextValue & { children: ReactNode }) {
  return <AppContext.Provider value={{ store, link }}>{children}</AppContext.Provider>;
}

function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (!v) throw new Error('AppProvider missing');
  return v;
}

/** Selects one piece of the store; keep selectors atomic so components re-render only on their piece. */
export function useGlasspane<T>(selector: (s: Store) => T): T {
  return useApp().store(selector);
}

/** The store itself, for actions and for subscriptions outside React's render (the graph). */
export function useStoreApi(): GlasspaneStore {
  return useApp().store;
}

export function useLink(): Link {
  return useApp().link;
}
