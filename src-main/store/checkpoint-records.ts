import type Database from 'better-sqlite3';
import {
  RECORD_KINDS,
  type PartialAccumulator,
  type RecordKind,
} from '../../shared/inventory/partial-accumulator';
import { dnsKey, edgeKey, editKey, emptyPartial, hearsayKey } from '../../shared/inventory/partial-merge';
import { parsePartial } from '../../shared/inventory/partial-schema';
import { rowSum } from './checkpoint-sum';
import type {
  PartialDevice,
  PartialDnsName,
  PartialEdge,
  PartialEdit,
  PartialHearsay,
  PartialInventory,
  PartialSourceInfo,
} from '../../shared/inventory/partial-types';

/** One record of the sensors' console's merge as its checkpoint holds it. */
export interface CheckpointRecord {
  kind: string;
  key: string;
  json: string;
  /** Its rowSum() as written (null in rows from before migration 5). */
  sum: number | null;
}

/**
 * The sensors' console's checkpoint (src-main/engine/merged-view.ts): one row per record of its
 * merge (a device, an edge, a DNS name, …, by kind and key), so that a checkpoint writes only the
 * records changed since the last one, in the transaction of the batch it goes with. `written`
 * numbers the checkpoint that last wrote a row.
 */
export class CheckpointRecords {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      put: db.prepare<[string, string, string, number, number]>(
        `INSERT INTO checkpoint_records (kind, key, json, sum, written) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind, key) DO UPDATE SET json = excluded.json, sum = excluded.sum, written = excluded.written`,
      ),
      del: db.prepare<[string, string]>('DELETE FROM checkpoint_records WHERE kind = ? AND key = ?'),
      clear: db.prepare('DELETE FROM checkpoint_records'),
      all: db.prepare('SELECT kind, key, json, sum FROM checkpoint_records ORDER BY kind, key'),
      written: db.prepare<[number]>('SELECT count(*) FROM checkpoint_records WHERE written = ?').pluck(),
      count: db.prepare('SELECT count(*) FROM checkpoint_records').pluck(),
    };
  }

  /** Write a row, with its sum. */
  put(kind: string, key: string, json: string, checkpoint: number): void {
    this.q.put.run(kind, key, json, rowSum(kind, key, json), checkpoint);
  }

  delete(kind: string, key: string): void {
    this.q.del.run(kind, key);
  }

  clear(): void {
    this.q.clear.run();
  }

  /** Every row, by kind then key. */
  all(): IterableIterator<CheckpointRecord> {
    return this.q.all.iterate() as IterableIterator<CheckpointRecord>;
  }

  /** How many rows checkpoint number `n` wrote (and no later one rewrote). */
  writtenBy(n: number): number {
    return Number(this.q.written.get(n));
  }

  get size(): number {
    return Number(this.q.count.get());
  }
}

/** A record's place in a partial, by kind. */
const FIELD = {
  source: 'sources',
  device: 'devices',
  edge: 'edges',
  dns: 'dns',
  edit: 'edits',
  hearsay: 'hearsay',
} as const satisfies Record<RecordKind, keyof PartialInventory>;

/** A record's key, as the accumulator holds it (a row must be under its own). */
function keyOf(kind: RecordKind, r: object): string {
  switch (kind) {
    case 'source':
      return (r as PartialSourceInfo).source;
    case 'device':
      return (r as PartialDevice).key;
    case 'edge':
      return edgeKey(r as PartialEdge);
    case 'dns':
      return dnsKey(r as PartialDnsName);
    case 'edit':
      return editKey(r as PartialEdit);
    case 'hearsay':
      return hearsayKey(r as PartialHearsay);
  }
}

/** A key as a message shows it: on one line (an edge's, a name's and an edit's hold a newline). */
const shown = (key: string) => key.replaceAll('\n', ' ');

/** Rows checked at once: within every list's bound in one partial (4096 sources). */
const CHUNK = 4096;

/**
 * Every row joined into `acc`, a chunk at a time, each under its own key. A chunk whose rows all
 * match their sums (checkpoint-sum.ts: written from a merge, so checked and canonical) is joined as
 * read; any other is checked as a partial from the network is (parsePartial). Throws, saying which
 * row, at the first bad one. Says, by kind, the keys of the rows read without their sum (from an
 * older Glasspane, or edited): the next checkpoint should write them again.
 */
export function loadRecords(rows: CheckpointRecords, acc: PartialAccumulator): Map<RecordKind, string[]> {
  const unsummed = new Map<RecordKind, string[]>();
  let kind: string | null = null;
  let keys: string[] = [];
  let values: unknown[] = [];
  /** The keys of the chunk's rows that do not match their sums. */
  let unchecked: string[] = [];
  const flush = () => {
    if (kind === null || keys.length === 0) return;
    if (!(RECORD_KINDS as readonly string[]).includes(kind))
      throw new Error(`checkpoint record ${kind} ${shown(keys[0]!)}: no such kind of record`);
    const k = kind as RecordKind;
    let p: PartialInventory = { ...emptyPartial(), [FIELD[k]]: values };
    if (unchecked.length > 0) {
      const r = parsePartial(p);
      if (!r.ok) {
        const at = /^not a partial inventory at [a-z]+\.(\d+)/.exec(r.reason);
        const key = at === null ? undefined : keys[Number(at[1])];
        throw new Error(`checkpoint record ${k} ${shown(key ?? `near ${keys[0]!}`)}: ${r.reason}`);
      }
      p = r.partial;
      let named = unsummed.get(k);
      if (named === undefined) unsummed.set(k, (named = []));
      for (const key of unchecked) named.push(key);
    }
    for (let i = 0; i < keys.length; i++) {
      const at = keyOf(k, values[i] as object);
      if (at !== keys[i])
        throw new Error(`checkpoint record ${k} ${shown(keys[i]!)}: the record is another's (${shown(at)})`);
    }
    acc.add(p);
    keys = [];
    values = [];
    unchecked = [];
  };
  for (const r of rows.all()) {
    if (r.kind !== kind || keys.length === CHUNK) flush();
    kind = r.kind;
    try {
      values.push(JSON.parse(r.json));
    } catch (e) {
      throw new Error(`checkpoint record ${r.kind} ${shown(r.key)}: not JSON (${(e as Error).message})`);
    }
    keys.push(r.key);
    if (r.sum === null || r.sum !== rowSum(r.kind, r.key, r.json)) unchecked.push(r.key);
  }
  flush();
  return unsummed;
}

/**
 * Write checkpoint `n`'s rows: each record named in `unsaved` (acc.unsaved()) as the merge holds it,
 * its JSON made as it is written (not all at once: a first checkpoint writes every record), or its
 * row deleted when the merge no longer holds it. Says how many rows it wrote and their bytes.
 */
export function saveRecords(
  rows: CheckpointRecords,
  acc: PartialAccumulator,
  unsaved: ReadonlyMap<RecordKind, readonly string[]>,
  n: number,
): { rows: number; bytes: number } {
  let written = 0;
  let bytes = 0;
  for (const [kind, keys] of unsaved)
    for (const key of keys) {
      const r = acc.record(kind, key);
      if (r === undefined) {
        rows.delete(kind, key);
        continue;
      }
      const json = JSON.stringify(r);
      rows.put(kind, key, json, n);
      written++;
      bytes += json.length;
    }
  return { rows: written, bytes };
}
