/**
 * The sensors' console's store keeps the edges its merge holds (src-main/engine/merged-view.ts): an
 * edge a rebuild no longer has (re-keyed when the merge finds a gateway routing, renamed when ids
 * become qualified by site, or its site dropped) has its row deleted in the commit that says it went,
 * so the rows a reopened store holds are the edges the console showed. (The store's own view of
 * them, site by site: merged-store-sites.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MergedView } from '../../src-main/engine/merged-view';
import { Store } from '../../src-main/store/store';
import { pairKey } from '../../src-main/store/edge-rows';
import { consoleOn } from '../helpers/store-console';
import { corpusAvailable } from '../helpers/corpus';
import { captureDeltas } from '../helpers/sensor-deltas';

const skip = corpusAvailable() ? false : 'the capture corpus (../shared/pcaps) is not here';

/** The pairs the store has rows for (either way round). */
const rows = (s: Store) =>
  (s.db.prepare('SELECT a, b FROM edges').all() as { a: string; b: string }[])
    .map((r) => pairKey(r.a, r.b))
    .sort();
const shown = (m: MergedView) =>
  m
    .report()
    .edges.map((e) => pairKey(e.a, e.b))
    .sort();

test(
  "the console's store deletes the edges its merge no longer has: routers, qualified ids, a dropped site",
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-merged-edges-'));
    const path = join(dir, 'console.db');
    try {
      // The gateway is found to route in a later delta than the one that credited it with edges.
      const hq = await captureDeltas('multi-lan-mixed__zeek__wikipedia.pcap', 'hq', 's1', 10);
      const c = consoleOn(path);
      const written = new Set<string>();
      for (const d of hq) {
        c.take(d);
        c.m.tick();
        for (const k of rows(c.store)) written.add(k);
      }
      const now = shown(c.m);
      assert.ok(c.m.current().some((d) => d.router));
      assert.ok(
        [...written].some((k) => !now.includes(k)),
        'no edge the store wrote went from the merge: the case is not exercised',
      );
      assert.deepEqual(rows(c.store), now, 'after the router: the rows are the merge');

      // The same capture at a second site: the same private addresses and MACs there make every id
      // say its site, so each edge is renamed (its old ends are gone).
      for (const d of await captureDeltas('multi-lan-mixed__zeek__wikipedia.pcap', 'branch', 's2', 40)) {
        c.take(d);
        c.m.tick();
      }
      const both = shown(c.m);
      assert.ok(
        both.every((k) => k.includes('hq/') || k.includes('branch/')),
        'ids say their site',
      );
      assert.deepEqual(rows(c.store), both, 'after the ids changed: the rows are the merge');

      // branch's stream was deleted and created again: what it said goes from the merge, and its rows.
      c.m.stream('branch', 'c2', 0);
      c.m.tick();
      const left = shown(c.m);
      assert.ok(left.length > 0 && left.length < both.length);
      assert.deepEqual(rows(c.store), left, 'after the site was dropped: the rows are the merge');
      c.m.close();
      c.store.close();

      const again = consoleOn(path);
      again.m.tick();
      assert.deepEqual(shown(again.m), left, 'restored from the checkpoint');
      assert.deepEqual(rows(again.store), left, 'reopened: the rows are the merge');
      again.m.close();
      again.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
