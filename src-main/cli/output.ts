import { accessSync, constants, statSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { explainWriteError, isSpecialFile, tempPathFor, writeFileAtomic } from '../report/write';

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
  await writeFileAtomic(out, text).catch((e: unknown) => {
    throw new UsageError((e as Error).message);
  });
}

/** writeOutput for text made piece by piece (pieces gathered to about a megabyte per write). */
export async function writeChunks(chunks: Iterable<string>, out?: string): Promise<void> {
  const toStdout = out === undefined || out === '-';
  // A device or FIFO (`--out /dev/null`) is written in place; a file through a renamed temporary.
  const inPlace = !toStdout && (await isSpecialFile(out));
  const tmp = toStdout || inPlace ? out! : tempPathFor(out);
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
      if (!inPlace) await rename(tmp, out!);
    }
  } catch (e) {
    if (file === null) throw e;
    await file.close().catch(() => {});
    if (!inPlace) await unlink(tmp).catch(() => {});
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
  return new UsageError(explainWriteError(out, e));
}
