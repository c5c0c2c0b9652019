import type Database from 'better-sqlite3';

/** The edge counters: packets and bytes, each way. */
const COUNTS = ['pab', 'pba', 'bab', 'bba'] as const;

/**
 * How an edge row carries an earlier session's count into `base_<c>` when this session first
 * writes it: within one session the base stands; a new session adds what the last one counted, or
 * keeps the larger when its capture overlaps the last one (the same traffic analysed again).
 */
const carried = (c: (typeof COUNTS)[number]) =>
  `base_${c} = CASE WHEN session = excluded.session THEN base_${c} WHEN base_overlap THEN max(base_${c}, ${c}) ELSE base_${c} + ${c} END`;

/** Every statement the store runs more than once, prepared once. */
export function prepareStatements(db: Database.Database) {
  return {
    meta: db.prepare<[string]>('SELECT value FROM meta WHERE key = ?').pluck(),
    setMeta: db.prepare<[string, string]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    device: db.prepare<[string]>(
      'SELECT id, json, base, session, online, last_seen FROM devices WHERE id = ?',
    ),
    hasDevice: db.prepare<[string]>('SELECT 1 FROM devices WHERE id = ?').pluck(),
    putDevice: db.prepare<[string, string, string | null, number, string, number]>(
      `INSERT INTO devices (id, json, base, session, last_seen, online, seq) VALUES (?, ?, ?, ?, ?, 1, ?)
       ON CONFLICT (id) DO UPDATE SET json = excluded.json, base = excluded.base, session = excluded.session,
         last_seen = excluded.last_seen, online = 1, seq = excluded.seq`,
    ),
    setOffline: db.prepare<[string]>('UPDATE devices SET online = 0 WHERE id = ?'),
    delDevice: db.prepare<[string]>('DELETE FROM devices WHERE id = ?'),
    delEdgesOf: db.prepare<[string, string]>('DELETE FROM edges WHERE a = ? OR b = ?'),
    putEdge: db.prepare<[Record<string, string | number>]>(
      `INSERT INTO edges (a, b, protocols, pab, pba, bab, bba, first, last, session, seq)
       VALUES (@a, @b, @protocols, @pab, @pba, @bab, @bba, @first, @last, @session, @seq)
       ON CONFLICT (a, b) DO UPDATE SET
         base_protocols = CASE WHEN session = excluded.session THEN base_protocols ELSE base_protocols || ',' || protocols END,
         base_overlap = CASE WHEN session = excluded.session THEN base_overlap ELSE excluded.first <= last END,
         ${COUNTS.map(carried).join(',\n         ')},
         protocols = excluded.protocols, pab = excluded.pab, pba = excluded.pba, bab = excluded.bab, bba = excluded.bba,
         first = min(first, excluded.first), last = max(last, excluded.last),
         session = excluded.session, seq = excluded.seq
       RETURNING *`,
    ),
    // A database with no edges when this session began has nothing to carry: a plain write will do.
    putNewEdge: db.prepare<
      [string, string, string, number, number, number, number, string, string, number, number]
    >(
      `INSERT INTO edges (a, b, protocols, pab, pba, bab, bba, first, last, session, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (a, b) DO UPDATE SET protocols = excluded.protocols, pab = excluded.pab, pba = excluded.pba,
         bab = excluded.bab, bba = excluded.bba, first = min(first, excluded.first), last = max(last, excluded.last),
         seq = excluded.seq`,
    ),
    // An edge's total over every session (a console's merge): nothing earlier is carried.
    putWholeEdge: db.prepare<
      [string, string, string, number, number, number, number, string, string, number, number]
    >(
      `INSERT INTO edges (a, b, protocols, pab, pba, bab, bba, first, last, session, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (a, b) DO UPDATE SET protocols = excluded.protocols, pab = excluded.pab, pba = excluded.pba,
         bab = excluded.bab, bba = excluded.bba, first = excluded.first, last = excluded.last,
         base_protocols = '', base_pab = 0, base_pba = 0, base_bab = 0, base_bba = 0, base_overlap = 0,
         session = excluded.session, seq = excluded.seq`,
    ),
    edge: db.prepare<[string, string]>('SELECT * FROM edges WHERE a = ? AND b = ?'),
    delEdge: db.prepare<[string, string]>('DELETE FROM edges WHERE a = ? AND b = ?'),
    edgesOf: db.prepare<[string, string]>(
      'SELECT * FROM edges WHERE a = ? UNION ALL SELECT * FROM edges WHERE b = ? AND a <> b',
    ),
    timeline: db.prepare<[string, string, string, string | null, string | null, string, number]>(
      'INSERT INTO timeline (device_id, at, field, old, new, source, seq) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    alert: db.prepare<[string, string, string, number, string, string | null, string, string, number]>(
      'INSERT OR IGNORE INTO alerts (id, at, severity, rank, kind, device_id, message, detail, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    batch: db.prepare<[number, string, string | null, number, number, number, number]>(
      'INSERT INTO batches (seq, committed_at, capture_at, upserts, edges, alerts, devices_total) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    putEdit: db.prepare<[string, string, string, string]>(
      'INSERT INTO edits (device_id, field, value, at) VALUES (?, ?, ?, ?) ON CONFLICT (device_id, field) DO UPDATE SET value = excluded.value, at = excluded.at',
    ),
    delEdit: db.prepare<[string, string]>('DELETE FROM edits WHERE device_id = ? AND field = ?'),
    putMerge: db.prepare<[string, string, string, string]>(
      'INSERT INTO merges (alias, into_id, kind, at) VALUES (?, ?, ?, ?) ON CONFLICT (alias) DO UPDATE SET into_id = excluded.into_id',
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

/** A device row as read back. */
export interface DeviceRow {
  id: string;
  json: string;
  base: string | null;
  session: number;
  online: number;
  last_seen: string;
}
