import { rename, unlink, writeFile } from 'node:fs/promises';

/** A mistake the person running the command can fix: printed as one line, exit code 2. */
export class UsageError extends Error {}

/**
 * Write to FILE (through a temporary file renamed into place, so a full disk never leaves half a
 * report where a good one was) or to standard output.
 */
export async function writeOutput(text: string, out?: string): Promise<void> {
  if (out === undefined || out === '-') {
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(text, (e) => (e ? reject(e) : resolve())),
    );
    return;
  }
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, out);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOSPC'
        ? 'the disk is full; free some space or write elsewhere with --out'
        : err.code === 'EACCES' || err.code === 'EPERM'
          ? 'permission denied; choose a folder you can write to'
          : err.code === 'ENOENT'
            ? 'the folder does not exist'
            : err.message;
    throw new UsageError(`cannot write ${out}: ${why}`);
  }
}
