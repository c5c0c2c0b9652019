/**
 * The sums of a console's checkpoint rows (src-main/store/checkpoint-sum.ts), on a real SQLite store:
 * rows a console wrote match theirs and are read as written; rows without one (a store from before
 * them) or edited by hand are checked in full, read as the canonical record they hold, and named so
 * that the next checkpoint writes them again. Either way the merge read back is the one saved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PartialAccumulator,
  RECORD_KINDS,
  type RecordKind,
} from '../../shared/inventory/partial-accumulator';
import { parsePartial } from '../../shared/inventory/partial-schema';
import { loadRecords, saveRecords } from '../../src-main/store/checkpoint-records';
import { rowSum } from '../../src-main/store/checkpoint-sum';
import { Store } from '../../src-main/store/store';
import { CORPUS_SKIP } from '../helpers/corpus';
import { arpSensor, captureDeltas, type Delta } from '../helpers/sensor-deltas';

/** The same JSON, said without printing a merge's megabytes when not. */
function sameJson(a: unknown, b: unknown, what: string): void {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  assert.ok(x === y, `${what}: differs at ${i}: ${x.slice(i - 80, i + 80)} / ${y.slice(i - 80, i + 80)}`);
}

/** A store whose checkpoint rows hold a merge of two captures and ARP hosts, and that merge. */
async function saved(): Promise<{ store: Store; acc: PartialAccumulator; done: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'gp-checkpoint-sums-'));
  const store = new Store(join(dir, 'console.db'));
  const acc = new PartialAccumulator({ unsaved: true });
  // Each delta checked as the console checks what it takes from a stream.
  const take = (d: Delta) => {
    const p = parsePartial(d.partial);
    assert.ok(p.ok);
    acc.add(p.partial);
  };
  for (const d of [
    ...(await captureDeltas('multi-lan-mixed__zeek__wikipedia.pcap', 'hq', 's1', 8)),
    ...(await captureDeltas('dhcp__zeek__dhcp.pcap', 'plant', 's2', 10)),
  ])
    take(d);
  const hosts = arpSensor('hq', 's3', 3);
  const all = Array.from({ length: 5000 }, (_, i) => i);
  take(hosts.see(all, 1000));
  take(hosts.see([7, 70, 700], 1001));
  store.db.transaction(() => saveRecords(store.checkpoint, acc, acc.unsaved(), 1))();
  return { store, acc, done: () => (store.close(), rmSync(dir, { recursive: true, force: true })) };
}

/** What loadRecords reads back from the store's rows, and the rows it said had no sum. */
function readBack(store: Store): { acc: PartialAccumulator; unsummed: Map<RecordKind, string[]> } {
  const acc = new PartialAccumulator();
  const unsummed = loadRecords(store.checkpoint, acc);
  return { acc, unsummed };
}

/** Per kind, the keys a merge holds, sorted. */
const keysOf = (acc: PartialAccumulator) =>
  new Map(
    RECORD_KINDS.map((k) => [k, [...acc.keys(k)].sort()] as const).filter(([, keys]) => keys.length > 0),
  );

test(
  'rows a console wrote match their sums and read back as the merge saved',
  { skip: CORPUS_SKIP },
  async () => {
    const { store, acc, done } = await saved();
    try {
      const kinds = store.db
        .prepare('SELECT kind, count(*) AS n FROM checkpoint_records GROUP BY kind ORDER BY kind')
        .all() as { kind: string; n: number }[];
      assert.ok(
        ['device', 'dns', 'edge', 'source'].every((k) => kinds.some((r) => r.kind === k)),
        JSON.stringify(kinds),
      );
      assert.ok(kinds.find((r) => r.kind === 'device')!.n > 4096, 'more than one chunk of devices');
      for (const r of store.checkpoint.all()) assert.equal(r.sum, rowSum(r.kind, r.key, r.json), r.key);
      const back = readBack(store);
      assert.deepEqual([...back.unsummed], [], 'every row read as written');
      sameJson(back.acc.partial(), acc.partial(), 'read back');
    } finally {
      done();
    }
  },
);

test(
  'rows without a sum (a store from before them) are checked in full, read the same, and named',
  { skip: CORPUS_SKIP },
  async () => {
    const { store, acc, done } = await saved();
    try {
      store.db.exec('UPDATE checkpoint_records SET sum = NULL');
      const back = readBack(store);
      sameJson(back.acc.partial(), acc.partial(), 'read back');
      assert.deepEqual(
        new Map([...back.unsummed].map(([k, keys]) => [k, [...keys].sort()])),
        keysOf(acc),
        'every row to be written again',
      );
    } finally {
      done();
    }
  },
);

test(
  'a row edited by hand is checked in full: read as the canonical record it holds, not as written',
  { skip: CORPUS_SKIP },
  async () => {
    const { store, acc, done } = await saved();
    try {
      const key = acc.partial().devices.find((d) => d.states[0]!.protocols.includes('arp'))!.key;
      const row = store.db
        .prepare("SELECT json, sum FROM checkpoint_records WHERE kind = 'device' AND key = ?")
        .get(key) as { json: string; sum: number };
      // The same device, its protocols listed twice over (the check joins them back into one list).
      const d = JSON.parse(row.json) as { states: { protocols: string[] }[] };
      for (const s of d.states) s.protocols = [...s.protocols, ...s.protocols];
      const edited = JSON.stringify(d);
      store.db
        .prepare("UPDATE checkpoint_records SET json = ? WHERE kind = 'device' AND key = ?")
        .run(edited, key);
      assert.notEqual(rowSum('device', key, edited), row.sum);

      const back = readBack(store);
      assert.deepEqual([...back.unsummed], [['device', [key]]]);
      sameJson(back.acc.partial(), acc.partial(), 'read back');
      assert.notEqual(JSON.stringify(back.acc.record('device', key)), edited);
    } finally {
      done();
    }
  },
);
