import type Database from 'better-sqlite3';

/**
 * The schema, as the ordered list of steps that build it. `PRAGMA user_version` holds how many have
 * run; opening a database runs the rest, each in its own transaction. Append new steps; never edit
 * or reorder the ones already released.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: devices and edges as the engine last reported them, and the commit log.
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE batches (
     seq INTEGER PRIMARY KEY, committed_at TEXT NOT NULL, capture_at TEXT,
     upserts INTEGER NOT NULL, edges INTEGER NOT NULL, alerts INTEGER NOT NULL,
     devices_total INTEGER NOT NULL);
   CREATE TABLE devices (
     id TEXT PRIMARY KEY, json TEXT NOT NULL,
     -- What earlier sessions knew, carried under this session's counts (null for devices first seen now).
     base TEXT, session INTEGER NOT NULL,
     last_seen TEXT NOT NULL, online INTEGER NOT NULL DEFAULT 1, seq INTEGER NOT NULL);
   CREATE TABLE edges (
     a TEXT NOT NULL, b TEXT NOT NULL, protocols TEXT NOT NULL,
     pab INTEGER NOT NULL, pba INTEGER NOT NULL, bab INTEGER NOT NULL, bba INTEGER NOT NULL,
     first TEXT NOT NULL, last TEXT NOT NULL, session INTEGER NOT NULL, seq INTEGER NOT NULL,
     base_protocols TEXT NOT NULL DEFAULT '',
     base_pab INTEGER NOT NULL DEFAULT 0, base_pba INTEGER NOT NULL DEFAULT 0,
     base_bab INTEGER NOT NULL DEFAULT 0, base_bba INTEGER NOT NULL DEFAULT 0,
     -- 1 when this session's traffic overlaps the base's (the same capture again): totals are max, not sum.
     base_overlap INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (a, b)) WITHOUT ROWID;
   CREATE INDEX edges_b ON edges (b);`,
  // 2: the timeline, manual edits, merges, and pairs split by hand (never merged automatically again).
  `CREATE TABLE timeline (
     id INTEGER PRIMARY KEY, device_id TEXT NOT NULL, at TEXT NOT NULL, field TEXT NOT NULL,
     old TEXT, new TEXT, source TEXT NOT NULL, seq INTEGER NOT NULL);
   CREATE INDEX timeline_device ON timeline (device_id, id);
   CREATE TABLE edits (device_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, at TEXT NOT NULL,
     PRIMARY KEY (device_id, field)) WITHOUT ROWID;
   CREATE TABLE merges (alias TEXT PRIMARY KEY, into_id TEXT NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL);
   CREATE TABLE splits (a TEXT NOT NULL, b TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;`,
  // 3: alerts.
  `CREATE TABLE alerts (
     id TEXT PRIMARY KEY, at TEXT NOT NULL, severity TEXT NOT NULL, rank INTEGER NOT NULL, kind TEXT NOT NULL,
     device_id TEXT, message TEXT NOT NULL, detail TEXT NOT NULL, seq INTEGER NOT NULL);
   CREATE INDEX alerts_at ON alerts (at);`,
  // 4: the sensors' console's checkpoint, one row per record of its merge (checkpoint-records.ts).
  `CREATE TABLE checkpoint_records (
     kind TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL,
     -- The number of the checkpoint that last wrote it.
     written INTEGER NOT NULL,
     PRIMARY KEY (kind, key));`,
  // 5: each checkpoint row's sum of what it holds (checkpoint-records.ts): a row that matches it is
  // one this Glasspane wrote and is read without the full check. Rows written before have none.
  `ALTER TABLE checkpoint_records ADD COLUMN sum INTEGER;`,
  // 6: a console's devices (they say their site) are its merge's and never merged by address. Older
  // Glasspanes folded them by address, across sites too: those automatic merges are undone, and the
  // console's next restore deletes the rows its merge no longer has (Store.consoleRows).
  `DELETE FROM merges WHERE kind = 'auto' AND (
     alias IN (SELECT id FROM devices WHERE json_extract(json, '$.site') IS NOT NULL)
     OR into_id IN (SELECT id FROM devices WHERE json_extract(json, '$.site') IS NOT NULL));
   INSERT OR REPLACE INTO meta (key, value) VALUES ('console-rows', 'unchecked');`,
];

/** Meta key: whether a console checked the rows an older Glasspane's console left (Store.consoleRows). */
export const CONSOLE_ROWS_KEY = 'console-rows';

export class NewerSchemaError extends Error {}

/** Bring `db` up to `target` (default: the latest); returns the version it started at. */
export function migrate(db: Database.Database, target = MIGRATIONS.length): number {
  const from = Number(db.pragma('user_version', { simple: true }));
  if (from > MIGRATIONS.length) {
    throw new NewerSchemaError(
      `the database has schema version ${from}, newer than this Glasspane knows (${MIGRATIONS.length}): use a newer Glasspane`,
    );
  }
  for (let v = from; v < target; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
  return from;
}
