/**
 * A sensors console (MergedView, no store) in a process of its own, run by test/engine/merged-heap.test.ts
 * with a small heap: sites of crafted devices are merged (one delta each, then a tick) until the
 * console says its heap is filling, or 400 sites. Prints one JSON line: what it said, and how many devices.
 */
import { partialOf } from '../../shared/inventory/partial';
import { EditBook } from '../../shared/inventory/edits';
import { SENSOR_MESSAGE_VERSION } from '../../shared/sensor/messages';
import { loadRules } from '../../src-main/classify/load';
import { vendorOf } from '../../src-main/engine/oui';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { createEventHub } from '../../src-main/ipc/event-hub';
import { StoreLink } from '../../src-main/engine/store-link';
import { InventoryView } from '../../src-main/engine/inventory-view';
import { AlertService } from '../../src-main/engine/alert-service';
import { MergedView } from '../../src-main/engine/merged-view';
import type { RunController } from '../../src-main/engine/run-controller';
import { dhcpRequestFrame } from './dhcp-frames';

const hex2 = (n: number) => (n & 255).toString(16).padStart(2, '0');
const said: string[] = [];
const link = new StoreLink(null, (m) => said.push(m));
const edits = new EditBook();
const hub = createEventHub();
const runs = (): RunController => {
  throw new Error('a sensors console has no capture run');
};
const view = new InventoryView(hub, runs, link, edits);
const alerts = new AlertService(hub, link, () => {});
const m = new MergedView(view, alerts, link, edits, { collectMs: 3_600_000, rules: loadRules(), vendorOf });
const PER_SITE = 1000;
let devices = 0;
for (let s = 0; s < 400 && !said.some((x) => x.includes('heap')); s++) {
  const a = createAnalyzer();
  for (let d = 0; d < PER_SITE; d++) {
    const mac = [2, s >> 8, s, d >> 8, d, 1].map(hex2).join(':');
    const f = dhcpRequestFrame({ mac, ip: `10.${s & 255}.${d >> 8}.${d & 255}` }, `host-${s}-${d}`, d + 1);
    a.frame(f, 1, 1.7e9 + d, f.length, 0);
  }
  const site = `site${s}`;
  m.stream(site, 'created', 0);
  const partial = JSON.parse(JSON.stringify(partialOf(a.inventory, { site, sensor: 's1' })));
  const msg = { v: SENSOR_MESSAGE_VERSION, site, sensor: 's1', run: 'r', n: 1 } as const;
  m.take(site, 1, { ...msg, kind: 'delta', partial }, Date.now());
  m.tick();
  devices += PER_SITE;
}
m.close();
process.stdout.write(JSON.stringify({ said, devices }) + '\n');
