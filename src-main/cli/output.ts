import { accessSync, constants, statSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { explainWriteError, isSpecialFile, tempPathFor, writeFileAtomic } from '../report/write';
import { pieceText, type JsonPiece } from './format';

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

/** Bytes gathered per write of writeChunks. */
const BLOCK = 1 << 20;

/**
 * writeOutput for text made piece by piece: each piece encoded as UTF-8 straight into one block of
 * about a megabyte, written when full. Gathering the pieces as one string made V8 copy them into a
 * flat string a megabyte at a time, then encode that into a buffer of its own.
 */
export async function writeChunks(chunks: Iterable<JsonPiece>, out?: string): Promise<void> {
  const toStdout = out === undefined || out === '-';
  // A device or FIFO (`--out /dev/null`) is written in place; a file through a renamed temporary.
  const inPlace = !toStdout && (await isSpecialFile(out));
  const tmp = toStdout || inPlace ? out! : tempPathFor(out);
  const file = toStdout
    ? null
    : await open(tmp, 'w').catch((e: unknown) => Promise.reject(writeError(out, e)));
  const put = async (b: Uint8Array) => {
    if (file === null) await writeStdout(b);
    // A write may take part of what it was given.
    else for (let at = 0; at < b.length;) at += (await file.write(b, at, b.length - at)).bytesWritten;
  };
  try {
    const block = Buffer.allocUnsafe(BLOCK);
    let pos = 0;
    for (const c of chunks) {
      const text = typeof c === 'string' ? c : c.text;
      // At most 3 bytes per UTF-16 unit (a pair of them is 4).
      if (pos + text.length * 3 > BLOCK) {
        await put(block.subarray(0, pos));
        pos = 0;
      }
      if (text.length * 3 > BLOCK) {
        await put(Buffer.from(pieceText(c)));
        continue;
      }
      const n = block.write(text, pos);
      if (typeof c === 'string') pos += n;
      else {
        // The parts left out are ASCII: one byte a character.
        const kept = n - c.from - (text.length - c.to);
        block.copyWithin(pos, pos + c.from, pos + c.from + kept);
        pos += kept;
      }
    }
    await put(block.subarray(0, pos));
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

function writeStdout(text: string | Uint8Array): Promise<void> {
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
