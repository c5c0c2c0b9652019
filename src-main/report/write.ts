/**
 * Atomic output files (reports, and every CLI --out): written to a temporary file beside the target and renamed into place, so an
 * interrupted or failed write (a full disk) never leaves half a report where a good one was.
 */
import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A report that cannot be written, said so that the person can fix it. */
export class ReportWriteError extends Error {}

export function explainWriteError(path: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const why =
    err.code === 'ENOSPC' || err.code === 'EDQUOT'
      ? 'the disk is full; free some space or write elsewhere'
      : err.code === 'EACCES' || err.code === 'EPERM'
        ? 'permission denied; choose a folder you can write to'
        : err.code === 'EROFS'
          ? 'the file system is read-only'
          : err.code === 'ENOENT'
            ? 'the folder does not exist'
            : err.code === 'ENOTDIR'
              ? 'a part of the path is not a folder'
              : err.code === 'EISDIR'
                ? 'that path is a folder'
                : err.message;
  return `cannot write ${path}: ${why}`;
}

/** A hidden temporary name beside PATH (same folder, so the rename stays on one file system). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}

/**
 * True when PATH names a device, FIFO or socket (`--out /dev/null`, a named pipe): such targets are
 * written in place. Renaming a temporary file over them would replace the device node itself with a
 * regular file, which as root breaks /dev/null for the whole machine.
 */
export async function isSpecialFile(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => null);
  return st !== null && !st.isFile() && !st.isDirectory();
}

/** Used by reports and by every CLI --out: one writer, one set of messages. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  if (await isSpecialFile(path)) {
    await writeFile(path, data).catch((e: unknown) => {
      throw new ReportWriteError(explainWriteError(path, e));
    });
    return;
  }
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw new ReportWriteError(explainWriteError(path, e));
  }
}
