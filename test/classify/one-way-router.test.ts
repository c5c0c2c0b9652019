/**
 * A gateway seen from one side (a SPAN that carries only the frames sent to it): it never sources an
 * address, so the inventory's router heuristic (sources many addresses) never fires, but hosts
 * address frames for many off-link destinations to its MAC. behaviour.router-one-way types it a
 * router; a server that is sent frames for its own address is not one. The same on one analyzer and
 * through partial inventories (workers, sensors), where what was addressed to each MAC travels as
 * `received`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { analyzerPartial } from '../../shared/engine/analyzer-partial';
import { inventoryFromPartial, mergeAll } from '../../shared/inventory/partial';
import { loadRules } from '../../src-main/classify/load';
import { vendorOf } from '../../src-main/engine/oui';
import { ascii, udpFrame } from '../helpers/packets';
import type { InventoryJson } from '../../shared/model/inventory';

const GATEWAY = '02:00:00:00:0a:01';
const SERVER = { mac: '02:00:00:00:0a:02', ip: '10.0.0.2', port: 53 };
const HOST = { mac: '02:00:00:00:0a:03', ip: '10.0.0.3', port: 40000 };
const T0 = Date.UTC(2026, 0, 1);

/** The host asks 8 remote addresses through the gateway and the server on the link; nobody answers. */
function frames(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < 8; i++)
    out.push(udpFrame(HOST, { mac: GATEWAY, ip: `198.51.100.${10 + i}`, port: 53 }, ascii(`q${i}`)));
  for (let i = 0; i < 8; i++) out.push(udpFrame(HOST, SERVER, ascii(`s${i}`)));
  return out;
}

const byId = (inv: InventoryJson, id: string) => inv.devices.find((d) => d.id === id);

test('a MAC sent frames for many addresses it never sources is a router; one sent frames for its own is not', () => {
  const a = createAnalyzer();
  frames().forEach((f, i) => a.frame(f, 1, T0 + i, f.length, 0));
  const inv = a.snapshot({ evidence: true });
  const gw = byId(inv, `mac:${GATEWAY}`)!;
  assert.equal(gw.router, false, 'the inventory does not route it: it sourced nothing');
  assert.equal(gw.type, 'router');
  assert.ok(gw.roles.includes('router'));
  assert.deepEqual(
    gw.attributes?.type?.evidence.map((e) => [e.rule, e.field]),
    [['behaviour.router-one-way', 'forwards']],
  );
  const server = byId(inv, `mac:${SERVER.mac}`);
  assert.ok(server !== undefined);
  assert.notEqual(server.type, 'router');
  assert.ok(!server.roles.includes('router'));
});

test('through partial inventories split between two workers, the gateway is typed the same', () => {
  const rules = loadRules();
  const workers = [createAnalyzer(), createAnalyzer()];
  for (const w of workers) w.beginSource();
  // Half the destinations to each worker: neither alone sees five; their merge does.
  frames().forEach((f, i) => {
    const w = workers[i % 2]!;
    w.nextFrameNumber(i + 1);
    w.frame(f, 1, T0 + i, f.length, 0);
  });
  const parts = workers.map((w, i) => {
    w.endSource({ path: 'crafted', format: 'pcap', frames: 0, warnings: [] });
    return analyzerPartial(w, { site: 'hq', sensor: 'cpu', worker: `w${i}` });
  });
  const alone = inventoryFromPartial(parts[0]!, { rules, vendorOf });
  assert.notEqual(byId(alone, `mac:${GATEWAY}`)!.type, 'router', 'one worker saw four destinations');
  const merged = inventoryFromPartial(mergeAll(parts), { rules, vendorOf });
  assert.equal(byId(merged, `mac:${GATEWAY}`)!.type, 'router');
  assert.notEqual(byId(merged, `mac:${SERVER.mac}`)!.type, 'router');
});
