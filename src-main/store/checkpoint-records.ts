import type Database from 'better-sqlite3';
import {
  RECORD_KINDS,
  type PartialAccumulator,
  type RecordKind,
} from '../../shared/inventory/partial-accumulator';
import { dnsKey, edgeKey, editKey, emptyPartial, hearsayKey } from '../../shared/inventory/partial-merge';
import { parsePartial } from '../../shared/inventory/partial-schema';
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
      put: db.prepare<[string, string, string, number]>(
        `INSERT INTO checkpoint_records (kind, key, json, written) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, key) DO UPDATE SET json = excluded.json, written = excluded.written`,
      ),
      del: db.prepare<[string, string]>('DELETE FROM checkpoint_records WHERE kind = ? AND key = ?'),
      clear: db.prepare('DELETE FROM checkpoint_records'),
      all: db.prepare('SELECT kind, key, json FROM checkpoint_records ORDER BY kind, key'),
      written: db.prepare<[number]>('SELECT count(*) FROM checkpoint_records WHERE written = ?').pluck(),
      count: db.prepare('SELECT count(*) FROM checkpoint_records').pluck(),
    };
  }

  put(kind: string, key: string, json: string, checkpoint: number): void {
    this.q.put.run(kind, key, json, checkpoint);
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
 * Every row joined into `acc`, each checked as a partial from the network is (parsePartial, a chunk
 * at a time) and under its own key. Throws, saying which row, at the first bad one.
 */
export function loadRecords(rows: CheckpointRecords, acc: PartialAccumulator): void {
  let kind: string | null = null;
  let chunk: { key: string; value: unknown }[] = [];
  const flush = () => {
    if (kind === null || chunk.length === 0) return;
    if (!(RECORD_KINDS as readonly string[]).includes(kind))
      throw new Error(`checkpoint record ${kind} ${shown(chunk[0]!.key)}: no such kind of record`);
    const k = kind as RecordKind;
    const p = parsePartial({
      ...emptyPartial(),
      [FIELD[k]]: chunk.map((c) => c.value),
    });
    if (!p.ok) {
      const at = /^not a partial inventory at [a-z]+\.(\d+)/.exec(p.reason);
      const row = at === null ? undefined : chunk[Number(at[1])];
      throw new Error(`checkpoint record ${k} ${shown(row?.key ?? `near ${chunk[0]!.key}`)}: ${p.reason}`);
    }
    for (const c of chunk)
      if (keyOf(k, c.value as object) !== c.key)
        throw new Error(
          `checkpoint record ${k} ${shown(c.key)}: the record is another's (${shown(keyOf(k, c.value as object))})`,
        );
    acc.add(p.partial);
    chunk = [];
  };
  for (const r of rows.all()) {
    if (r.kind !== kind || chunk.length === CHUNK) flush();
    kind = r.kind;
    let value: unknown;
    try {
      value = JSON.parse(r.json);
    } catch (e) {
      throw new Error(`checkpoint record ${r.kind} ${shown(r.key)}: not JSON (${(e as Error).message})`);
    }
    chunk.push({ key: r.key, value });
  }
  flush();
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
