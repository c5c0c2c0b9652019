/**
 * A sensors console (MergedView) on a real store at `path`, ticked by hand and checkpointing at
 * every tick: `take` merges one sensor delta as the console's reader would, in stream order per site.
 */
import assert from 'node:assert/strict';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { loadRules } from '../../src-main/classify/load';
import { vendorOf } from '../../src-main/engine/oui';
import { StoreLink } from '../../src-main/engine/store-link';
import { InventoryView } from '../../src-main/engine/inventory-view';
import { AlertService } from '../../src-main/engine/alert-service';
import { MergedView } from '../../src-main/engine/merged-view';
import type { RunController } from '../../src-main/engine/run-controller';
import { Store } from '../../src-main/store/store';
import { message, type Delta } from './sensor-deltas';

const rules = loadRules();

export function consoleOn(path: string): { m: MergedView; store: Store; take: (d: Delta) => void } {
  const store = new Store(path);
  const hub = createEventHub();
  const link = new StoreLink(store, () => {});
  const runs = (): RunController => assert.fail('a sensors console has no capture run');
  const view = new InventoryView(hub, runs, link, store.edits);
  const alerts = new AlertService(hub, link, () => {});
  const m = new MergedView(view, alerts, link, store.edits, {
    collectMs: 3_600_000,
    checkpointMs: 0,
    rules,
    vendorOf,
  });
  const seqs = new Map<string, number>();
  const take = (d: Delta) => {
    const n = (seqs.get(d.site) ?? 0) + 1;
    seqs.set(d.site, n);
    m.take(d.site, n, message(d, n, d), Date.now());
  };
  return { m, store, take };
}
