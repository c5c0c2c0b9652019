/**
 * What `glasspane inventory --nats --forward` sends: the merged inventory read from the sites'
 * streams as events, each device with its own site and sensors. Built only from what the streams
 * hold, so reading the same streams again (a replay) gives the same events with the same ids, and
 * a SIEM de-duplicates them.
 */
import {
  alertEvent,
  deviceDiscovered,
  deviceNotSeen,
  inCaptureOrder,
  type ForwardEvent,
  type Origin,
} from '../../shared/forward/events';
import { NotSeenWatch } from '../../shared/forward/watch';
import type { AlertJson } from '../../shared/model/alert';
import type { DeviceJson, InventoryJson } from '../../shared/model/inventory';

/** A device's id as its sensor knew it: a merged id may be qualified (`mac:…@site/l2domain`). */
export const localId = (id: string) => id.split('@')[0]!;

/**
 * One `discovered` per device, one `alert` per alert read (with its device where the merge holds
 * it), and with `notSeenMs` a `not-seen` per device silent that long before the latest sighting in
 * the merged inventory (the streams' own clock, not this console's, so a replay says the same).
 */
export function mergedEvents(
  inv: InventoryJson,
  alerts: { site: string; alert: AlertJson }[],
  notSeenMs: number[],
  origin: Origin,
): ForwardEvent[] {
  const bySite = new Map<string, DeviceJson>();
  for (const d of inv.devices) bySite.set(`${d.site ?? ''}\u0000${localId(d.id)}`, d);
  const devices = inv.devices.map((d) => deviceDiscovered(d, origin));
  const raised = alerts.map(({ site, alert }) =>
    alertEvent(alert, bySite.get(`${site}\u0000${alert.deviceId ?? ''}`) ?? null, origin),
  );
  const sightings = inv.devices.map((d) => ({ id: d.id, lastSeen: Date.parse(d.lastSeen) }));
  const now = Math.max(...sightings.map((s) => s.lastSeen).filter(Number.isFinite));
  const byId = new Map(inv.devices.map((d) => [d.id, d]));
  const silent: ForwardEvent[] = [];
  if (Number.isFinite(now))
    for (const t of new Set(notSeenMs))
      for (const id of new NotSeenWatch(t).due(now, sightings))
        silent.push(deviceNotSeen(byId.get(id)!, t, origin));
  return inCaptureOrder(devices, raised, silent);
}
