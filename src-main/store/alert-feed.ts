import type { Analyzer } from '../../shared/engine/analyzer';
import { AlertEngine, type AlertEngineOptions } from '../../shared/alerts/engine';
import type { LearningState } from '../../shared/alerts/learning';
import type { DeviceJson } from '../../shared/model/inventory';

/** The store's meta key for the learning period, so that a restart does not learn again from scratch. */
export const LEARNING_KEY = 'alerts.learning';

/** What the alert feed reads from a store (the Store class, or nothing for hosts without one). */
export interface AlertBaseline {
  meta(key: string): string | null;
  rawDevices(): Iterable<DeviceJson>;
}

export interface AlertFeedOptions {
  /** Learning period in capture-time ms when the store has none saved (default: one hour). */
  learnMs?: number;
  alerts?: Omit<AlertEngineOptions, 'learning'>;
}

/**
 * The one AlertEngine of a run, fed as every host feeds it: the analyzer's observations (OT events,
 * DHCP server roles) as they happen, change-stream batches by the caller (`batch`, or `drain` when
 * no batch came). With a store, the learning state it saved is restored and the devices it knows
 * are the baseline, so a restart neither learns again nor calls known devices new.
 */
export function attachAlertEngine(
  analyzer: Analyzer,
  baseline: AlertBaseline | null,
  o: AlertFeedOptions = {},
): AlertEngine {
  const learning = savedLearning(baseline) ?? { durationMs: o.learnMs ?? undefined };
  const inv = analyzer.inventory;
  const alerts = new AlertEngine({
    ...o.alerts,
    learning,
    idOf: o.alerts?.idOf ?? ((ref) => inv.deviceFor(ref)?.id ?? null),
  });
  if (baseline !== null) alerts.seed(baseline.rawDevices());
  analyzer.observers.push((ob) => alerts.observe(ob));
  analyzer.floodObservers.push((f) => alerts.flood(f));
  return alerts;
}

/** The meta pairs to commit with each batch: the learning state as it now stands. */
export function learningMeta(alerts: AlertEngine): Record<string, string> {
  return { [LEARNING_KEY]: JSON.stringify(alerts.learning.state()) };
}

function savedLearning(baseline: AlertBaseline | null): Partial<LearningState> | null {
  const saved = baseline?.meta(LEARNING_KEY) ?? null;
  if (saved === null) return null;
  try {
    const s = JSON.parse(saved) as unknown;
    return typeof s === 'object' && s !== null ? (s as Partial<LearningState>) : null;
  } catch {
    // A damaged value learns again rather than failing the host.
    return null;
  }
}
