import type Database from 'better-sqlite3';
import { sqlite } from '../store/sqlite';
import { existsSync } from 'node:fs';
import type { Analyzer } from '../../shared/engine/analyzer';
import type { AlertJson } from '../../shared/model/alert';
import type { AlertPolicy } from '../../shared/alerts/policy';
import type { StoredInventory } from '../store/types';
import { MIGRATIONS, NewerSchemaError } from '../store/migrations';
import { defaultDbPath } from '../store/paths';
import { Recorder } from '../store/recorder';
import { Store } from '../store/store';
import { UsageError } from './output';

/** `--db` as commander gives it: a path, or true for the default database. */
export function dbPath(opt: string | boolean | undefined): string {
  return typeof opt === 'string' && opt !== '' ? opt : defaultDbPath();
}

export interface RecordOptions {
  /** Learning period for alerts, in capture time, when the database has not learned one yet. */
  learnMs?: number;
  offlineAfterMs?: number;
  evidence?: boolean;
  /** Alert policy (severity and wording per event kind); the default one when absent. */
  policy?: AlertPolicy;
}

export interface Recording {
  readonly store: Store;
  readonly recorder: Recorder;
  /** Commit what is left, close the database, and return what it now holds. */
  finish(): { inventory: StoredInventory; alerts: AlertJson[]; seq: number };
}

/**
 * Record an analysis into a database: call before feeding the analyzer, `finish()` after. Batches
 * are committed every 200 ms while files are read, so a killed run keeps what it had analysed.
 */
export function startRecording(a: Analyzer, path: string, o: RecordOptions = {}): Recording {
  let store: Store;
  try {
    store = new Store(path, { offlineAfterMs: o.offlineAfterMs });
  } catch (e) {
    throw openError(path, e);
  }
  let failure: unknown = null;
  const recorder = new Recorder(a, store, {
    learnMs: o.learnMs,
    evidence: o.evidence,
    alerts: o.policy !== undefined ? { policy: o.policy } : undefined,
    onError: (e) => (failure ??= e),
  });
  const alerts: AlertJson[] = [];
  recorder.on((r) => alerts.push(...r.alerts));
  recorder.start();
  return {
    store,
    recorder,
    finish() {
      try {
        recorder.stop();
        if (failure !== null) throw failure;
        return { inventory: store.snapshot(), alerts, seq: store.seq };
      } finally {
        store.close();
      }
    },
  };
}

/** Open an existing database for reading only (listing alerts must not create or migrate anything). */
export function openForReading(path: string): Database.Database {
  if (!existsSync(path)) throw new UsageError(`no database at ${path}: analyze a capture with --db first`);
  let db: Database.Database;
  try {
    db = new (sqlite())(path, { readonly: true, fileMustExist: true });
    const v = Number(db.pragma('user_version', { simple: true }));
    if (v > MIGRATIONS.length) throw new NewerSchemaError(`${path} was written by a newer Glasspane`);
    if (v < MIGRATIONS.length) {
      db.close();
      // Older: bring it forward (a write), then read.
      new Store(path).close();
      db = new (sqlite())(path, { readonly: true, fileMustExist: true });
    }
  } catch (e) {
    throw openError(path, e);
  }
  return db;
}

function openError(path: string, e: unknown): Error {
  if (e instanceof UsageError) return e;
  if (e instanceof NewerSchemaError) return new UsageError(e.message);
  const code = (e as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
    return new UsageError(`${path} is not a Glasspane database`);
  if (code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'EPERM')
    return new UsageError(`cannot open ${path}: check the path and its permissions`);
  if (code === 'SQLITE_BUSY') return new UsageError(`${path} is busy: another Glasspane is writing it`);
  return e instanceof Error ? e : new Error(String(e));
}
