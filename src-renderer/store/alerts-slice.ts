/**
 * The engine's alerts as the UI holds them: newest first, at most MAX_ALERTS (the oldest fall off),
 * no id twice. listAlerts fills it at connect and at each new run; `alert` events add to it.
 */
import type { Slice } from './slice';
import type { Alert } from '../../shared/ipc/contract';

export const MAX_ALERTS = 10_000;

export type AlertsState =
  | { kind: 'unknown' }
  | { kind: 'loaded' }
  /** The host does not know listAlerts: an engine from before alerts. */
  | { kind: 'unsupported' }
  | { kind: 'failed'; message: string };

/** What the alerts view shows: the severities hidden, and text that kind, message or device must hold. */
export interface AlertsFilter {
  hidden: readonly Alert['severity'][];
  text: string;
}

export interface AlertsSlice {
  /** Newest first. */
  alerts: readonly Alert[];
  /** How many alerts the engine holds (its listAlerts total, plus events since): may exceed alerts.length. */
  alertsTotal: number;
  alertsState: AlertsState;
  /** Alerts that arrived while the alerts view was not shown. */
  unseenAlerts: number;
  alertsFilter: AlertsFilter;
  /**
   * Replaces the list with the engine's answer, plus `racing`: alerts that came as events while the
   * call was in flight (the answer may or may not hold them).
   */
  setAlerts(listed: readonly Alert[], total: number, racing?: readonly Alert[]): void;
  /** Adds alerts raised since (events), in any order. */
  addAlerts(alerts: readonly Alert[]): void;
  setAlertsState(state: AlertsState): void;
  markAlertsSeen(): void;
  setAlertsFilter(patch: Partial<AlertsFilter>): void;
}

/** Epoch ms of an alert's time; unparseable times sort as oldest. */
const timeOf = (a: Alert): number => {
  const t = Date.parse(a.at);
  return Number.isNaN(t) ? -Infinity : t;
};

/** Newest first; equal times keep their input order (the engine's order). */
export function newestFirst(alerts: readonly Alert[]): Alert[] {
  return alerts
    .map((a, i) => ({ a, i, t: timeOf(a) }))
    .sort((x, y) => y.t - x.t || x.i - y.i)
    .map((x) => x.a);
}

/** `incoming` merged into `held` (both newest first), ids unique, bounded. Returns how many were new. */
export function mergeAlerts(
  held: readonly Alert[],
  incoming: readonly Alert[],
  max = MAX_ALERTS,
): { alerts: Alert[]; added: number } {
  const ids = new Set(held.map((a) => a.id));
  const fresh: Alert[] = [];
  for (const a of incoming) {
    if (ids.has(a.id)) continue;
    ids.add(a.id);
    fresh.push(a);
  }
  if (fresh.length === 0) return { alerts: held.slice(0, max), added: 0 };
  const top = held[0];
  // The usual case: every new alert is at least as recent as the newest held one.
  const sorted = newestFirst(fresh);
  const alerts =
    top === undefined || timeOf(sorted[sorted.length - 1]!) >= timeOf(top)
      ? [...sorted, ...held]
      : newestFirst([...fresh, ...held]);
  return { alerts: alerts.slice(0, max), added: fresh.length };
}

export const alertsSlice: Slice<AlertsSlice> = (set, get) => ({
  alerts: [],
  alertsTotal: 0,
  alertsState: { kind: 'unknown' },
  unseenAlerts: 0,
  alertsFilter: { hidden: [], text: '' },
  setAlerts: (listed, total, racing = []) => {
    const before = new Set(get().alerts.map((a) => a.id));
    const { alerts, added } = mergeAlerts(mergeAlerts([], listed).alerts, racing);
    const unseen = get().view === 'alerts' ? 0 : alerts.filter((a) => !before.has(a.id)).length;
    set({
      alerts,
      alertsTotal: Math.max(total + added, alerts.length),
      alertsState: { kind: 'loaded' },
      unseenAlerts: Math.min(MAX_ALERTS, get().unseenAlerts + unseen),
    });
  },
  addAlerts: (incoming) => {
    const { alerts, added } = mergeAlerts(get().alerts, incoming);
    if (added === 0) return;
    set({
      alerts,
      alertsTotal: get().alertsTotal + added,
      unseenAlerts: get().view === 'alerts' ? 0 : Math.min(MAX_ALERTS, get().unseenAlerts + added),
    });
  },
  setAlertsState: (alertsState) => set({ alertsState }),
  markAlertsSeen: () => {
    if (get().unseenAlerts !== 0) set({ unseenAlerts: 0 });
  },
  setAlertsFilter: (patch) => set({ alertsFilter: { ...get().alertsFilter, ...patch } }),
});
