import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { sqlite } from '../store/sqlite';
import { prepareStoreFile } from '../store/file-mode';
import { printable } from '../../shared/util/printable';

/** One record waiting for its destination: already formatted the way that destination takes it. */
export interface QueuedRecord {
  seq: number;
  /** The stable event id, so a receiver can de-duplicate what a crash makes us send twice. */
  eventId: string;
  body: string;
  bytes: number;
}

/** What `glasspane forward status` shows for one destination. */
export interface QueueStats {
  uri: string;
  queued: number;
  queuedBytes: number;
  /** Records the destination confirmed. */
  sent: number;
  /** Delivery attempts that failed (their records stay queued and are tried again). */
  failed: number;
  /** Records dropped, oldest first, because the queue was at its byte limit. */
  dropped: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastSentAt: string | null;
}

/** 100 MB of formatted events per destination by default: days of a busy sensor's events. */
export const DEFAULT_QUEUE_BYTES = 100 * 1024 * 1024;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS record (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, body TEXT NOT NULL, bytes INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS state (k TEXT PRIMARY KEY, v TEXT);
`;

/**
 * A destination's queue on disk: SQLite (better-sqlite3, already a dependency) rather than segment
 * files because a batch must leave the queue atomically with its counters, Splunk's pending ack
 * must survive a crash beside the records it covers, and the byte bound needs a running total;
 * SQLite's journal gives all three. WAL with synchronous=FULL: a kill -9 or a power cut after
 * `push` returns loses nothing. The folder is 0700 and the files 0600: events name devices.
 */
export class DiskQueue {
  private readonly db: Database.Database;

  private constructor(
    db: Database.Database,
    readonly maxBytes: number,
  ) {
    this.db = db;
  }

  static open(dir: string, uri: string, maxBytes = DEFAULT_QUEUE_BYTES): DiskQueue {
    // Owner-only, as the device store: the queue holds what was seen on the network.
    const file = join(dir, 'queue.db');
    prepareStoreFile(file);
    const Db = sqlite();
    const db = new Db(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    const q = new DiskQueue(db, maxBytes);
    q.set('uri', uri);
    return q;
  }

  /** Read-only, for `forward status`: null when the folder holds no queue. */
  static stats(dir: string): QueueStats | null {
    const Db = sqlite();
    let db: Database.Database;
    try {
      db = new Db(join(dir, 'queue.db'), { readonly: true, fileMustExist: true });
    } catch {
      return null;
    }
    try {
      return new DiskQueue(db, 0).stats();
    } catch {
      return null;
    } finally {
      db.close();
    }
  }

  get(k: string): string | null {
    const r = this.db.prepare('SELECT v FROM state WHERE k = ?').get(k) as { v: string | null } | undefined;
    return r?.v ?? null;
  }

  set(k: string, v: string | null): void {
    this.db
      .prepare('INSERT INTO state (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v')
      .run(k, v);
  }

  private add(k: string, n: number): void {
    this.set(k, String(Number(this.get(k) ?? 0) + n));
  }

  /** Append records in one transaction; past the byte limit the oldest go, counted as dropped. */
  push(records: { eventId: string; body: string }[]): void {
    const ins = this.db.prepare('INSERT INTO record (event_id, body, bytes) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const r of records) ins.run(r.eventId, r.body, Buffer.byteLength(r.body));
      let total = this.totalBytes();
      if (total <= this.maxBytes) return;
      const oldest = this.db.prepare('SELECT seq, bytes FROM record ORDER BY seq').iterate() as Iterable<{
        seq: number;
        bytes: number;
      }>;
      let last = -1;
      let n = 0;
      for (const r of oldest) {
        if (total <= this.maxBytes) break;
        total -= r.bytes;
        last = r.seq;
        n++;
      }
      this.db.prepare('DELETE FROM record WHERE seq <= ?').run(last);
      this.add('dropped', n);
    })();
  }

  /** The oldest records, at most `maxCount` and `maxBytes` together (always at least one). */
  peek(maxCount: number, maxBytes: number): QueuedRecord[] {
    const out: QueuedRecord[] = [];
    let bytes = 0;
    const rows = this.db
      .prepare('SELECT seq, event_id AS eventId, body, bytes FROM record ORDER BY seq LIMIT ?')
      .iterate(maxCount) as Iterable<QueuedRecord>;
    for (const r of rows) {
      if (out.length > 0 && bytes + r.bytes > maxBytes) break;
      out.push(r);
      bytes += r.bytes;
    }
    return out;
  }

  /** The destination confirmed every record up to `seq`: they leave the queue and count as sent. */
  delivered(seq: number): void {
    this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM record WHERE seq <= ?').run(seq).changes;
      this.add('sent', n);
      this.set('lastSentAt', new Date().toISOString());
    })();
  }

  failed(error: string): void {
    // The error may quote a receiver's answer, and it is printed on terminals (forward status, the
    // end-of-run line): control characters from the network go no further than here.
    const text = printable(error.slice(0, 300));
    this.db.transaction(() => {
      this.add('failed', 1);
      this.set('lastError', text);
      this.set('lastErrorAt', new Date().toISOString());
    })();
  }

  /**
   * Take the right to send, so that two Glasspane processes never send the same records. The
   * claim is this process's id; a claim by a process that is gone (killed) is taken over.
   */
  claim(pid = process.pid): boolean {
    return this.db
      .transaction(() => {
        const owner = Number(this.get('owner') ?? 0);
        if (owner !== 0 && owner !== pid && alive(owner)) return false;
        this.set('owner', String(pid));
        return true;
      })
      .immediate();
  }

  release(pid = process.pid): void {
    if (Number(this.get('owner') ?? 0) === pid) this.set('owner', null);
  }

  size(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM record').get() as { n: number }).n;
  }

  private totalBytes(): number {
    return (this.db.prepare('SELECT coalesce(sum(bytes), 0) AS b FROM record').get() as { b: number }).b;
  }

  stats(): QueueStats {
    return {
      uri: this.get('uri') ?? '?',
      queued: this.size(),
      queuedBytes: this.totalBytes(),
      sent: Number(this.get('sent') ?? 0),
      failed: Number(this.get('failed') ?? 0),
      dropped: Number(this.get('dropped') ?? 0),
      lastError: this.get('lastError'),
      lastErrorAt: this.get('lastErrorAt'),
      lastSentAt: this.get('lastSentAt'),
    };
  }

  close(): void {
    this.db.close();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
