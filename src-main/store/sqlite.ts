import type Database from 'better-sqlite3';
import { loadNative } from '../native/load-native';

/**
 * better-sqlite3, loaded through the one native loader: Node's build under Node, the Electron-ABI
 * build (.native/) under Electron. A build that does not load is a clear error, not a crash.
 */
export function sqlite(): typeof Database {
  const r = loadNative<typeof Database>('better-sqlite3');
  if (!r.ok)
    throw new Error(`${r.error.message} The device store needs it; capture analysis works without --db.`);
  return r.module;
}
