import type { AlertJson } from '../../shared/model/alert';
import type { CallRequest, CallResponse } from '../../shared/ipc/contract';
import { IPC_LIMITS } from '../../shared/ipc/limits';
import { CallFailure } from '../ipc/engine-api';
import type { EventHub } from '../ipc/event-hub';
import { AlertLog } from '../ipc/alert-log';
import { toWireAlert, toWireTimelineEntry } from '../ipc/alert-wire';
import { errorText, type StoreLink } from './store-link';

/**
 * Alerts and timelines for the UI: each new alert goes out as an `alert` event once; listAlerts
 * answers from the store (earlier sessions included) while it records, else from this session's
 * log; getTimeline only from a store.
 */
export class AlertService {
  private readonly log: AlertLog;

  constructor(
    private readonly hub: EventHub,
    private readonly link: StoreLink,
    /** Records what was collected but not yet committed: an answer includes it. */
    private readonly flush: () => void,
    keep?: number,
  ) {
    this.log = new AlertLog(keep);
  }

  /** Send each alert not seen before. */
  publish(alerts: readonly AlertJson[]): void {
    for (const a of alerts) {
      const w = toWireAlert(a);
      if (this.log.add(w)) this.hub.emit('alert', w);
    }
  }

  list({ deviceId, limit }: CallRequest<'listAlerts'>): CallResponse<'listAlerts'> {
    this.flush();
    const n = limit ?? IPC_LIMITS.alerts;
    const store = this.link.writable;
    if (store !== null) {
      try {
        const alerts = store.alerts({ deviceId, limit: n, newestFirst: true }).map(toWireAlert);
        return { alerts, total: store.alertCount({ deviceId }) };
      } catch (e) {
        this.link.log(`the device store cannot list alerts, answering from this session's: ${errorText(e)}`);
      }
    }
    return this.log.list(deviceId, n);
  }

  timeline({ id }: CallRequest<'getTimeline'>): CallResponse<'getTimeline'> {
    const store = this.link.store;
    if (store === null) return { supported: false, entries: [] };
    // The timeline of what was collected but not yet committed belongs in the answer; a device
    // with more history than one answer holds shows its latest.
    this.flush();
    try {
      const entries = store
        .timeline(id, { limit: IPC_LIMITS.timeline, latest: true })
        .map(toWireTimelineEntry);
      return { supported: true, entries };
    } catch (e) {
      throw new CallFailure('unavailable', `the device store cannot be read: ${errorText(e)}`);
    }
  }
}
