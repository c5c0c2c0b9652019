import { accessSync, constants, statSync } from 'node:fs';
import { open, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** A mistake the person running the command can fix: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** The folder FILE goes in exists and can be written (checked before work that would be lost). */
export function writableFolder(flag: string, out: string): void {
  if (out === '-') return;
  const dir = dirname(resolve(out));
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(
      isDir
        ? `${flag} ${out}: cannot write in ${dir}; choose a folder you can write to`
        : `${flag} ${out}: the folder ${dir} does not exist`,
    );
  }
  if (!isDir) throw new UsageError(`${flag} ${out}: ${dir} is not a folder`);
}

/**
 * Write to FILE (through a temporary file renamed into place, so a full disk never leaves half a
 * report where a good one was) or to standard output.
 */
export async function writeOutput(text: string, out?: string): Promise<void> {
  if (out === undefined || out === '-') {
    await writeStdout(text);
    return;
  }
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, out);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw writeError(out, e);
  }
}

/** writeOutput for text made piece by piece (pieces gathered to about a megabyte per write). */
export async function writeChunks(chunks: Iterable<string>, out?: string): Promise<void> {
  const toStdout = out === undefined || out === '-';
  const tmp = `${out}.${process.pid}.tmp`;
  const file = toStdout
    ? null
    : await open(tmp, 'w').catch((e: unknown) => Promise.reject(writeError(out, e)));
  const put = async (s: string) => {
    if (file !== null) await file.write(s);
    else await writeStdout(s);
  };
  try {
    let buf = '';
    for (const c of chunks) {
      buf += c;
      if (buf.length >= 1 << 20) {
        await put(buf);
        buf = '';
      }
    }
    await put(buf);
    if (file !== null) {
      await file.close();
      await rename(tmp, out!);
    }
  } catch (e) {
    if (file === null) throw e;
    await file.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw writeError(out!, e);
  }
}

/**
 * Standard output closed by the reader (`glasspane analyze F | head`) is the reader's choice, not an
 * error: the rest of the output is dropped quietly, as Unix tools do, and the run ends normally (a
 * --db recording is already committed). Other write errors still reject.
 */
let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') stdoutClosed = true;
});

function writeStdout(text: string): Promise<void> {
  if (stdoutClosed) return Promise.resolve();
  return new Promise<void>((resolve, reject) =>
    process.stdout.write(text, (e) => {
      if (!e) resolve();
      else if ((e as NodeJS.ErrnoException).code === 'EPIPE') {
        stdoutClosed = true;
        resolve();
      } else reject(e);
    }),
  );
}

function writeError(out: string, e: unknown): UsageError {
  const err = e as NodeJS.ErrnoException;
  const why =
    err.code === 'ENOSPC'
      ? 'the disk is full; free some space or write elsewhere with --out'
      : err.code === 'EACCES' || err.code === 'EPERM'
        ? 'permission denied; choose a folder you can write to'
        : err.code === 'ENOENT'
          ? 'the folder does not exist'
          : err.message;
  return new UsageError(`cannot write ${out}: ${why}`);
}
