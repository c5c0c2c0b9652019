/**
 * The device store holds what was seen on the network: readable by its owner only. The folder is
 * created 0700 when it does not exist (an existing one, perhaps chosen by the person, keeps its
 * mode), and the database file is created 0600, exclusively, before SQLite opens it; SQLite gives
 * the -wal and -shm files it creates the mode of the database file.
 */
import { closeSync, constants, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export const STORE_DIR_MODE = 0o700;
export const STORE_FILE_MODE = 0o600;

export function prepareStoreFile(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: STORE_DIR_MODE });
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, STORE_FILE_MODE));
  } catch (e) {
    // An existing database is opened as it is.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}
