/**
 * The alerts an engine without a store answers listAlerts from: the newest `max` (10,000 by
 * default, the contract's page), each id once, as the store keeps them.
 */
import type { Alert, CallResponse } from '../../shared/ipc/contract';
import { IPC_LIMITS } from '../../shared/ipc/limits';

export class AlertLog {
  private readonly byId = new Map<string, { alert: Alert; n: number }>();
  private n = 0;

  constructor(readonly max: number = IPC_LIMITS.alerts) {}

  get size(): number {
    return this.byId.size;
  }

  /** Keeps the alert; false when one with its id is held already (it is not news again). */
  add(alert: Alert): boolean {
    if (this.byId.has(alert.id)) return false;
    this.byId.set(alert.id, { alert, n: this.n++ });
    // Maps iterate in insertion order: the first key is the oldest held.
    while (this.byId.size > this.max) this.byId.delete(this.byId.keys().next().value!);
    return true;
  }

  /** Newest first (by alert time, then by arrival); `total` counts every match, the limit aside. */
  list(deviceId: string | undefined, limit: number = this.max): CallResponse<'listAlerts'> {
    const match = [...this.byId.values()].filter(
      (x) => deviceId === undefined || x.alert.deviceId === deviceId,
    );
    match.sort((x, y) => (x.alert.at < y.alert.at ? 1 : x.alert.at > y.alert.at ? -1 : y.n - x.n));
    return { alerts: match.slice(0, limit).map((x) => x.alert), total: match.length };
  }
}
