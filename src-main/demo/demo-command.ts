/** `glasspane demo [--out FILE]`: write the demo capture and print where it is. */
import { resolve } from 'node:path';
import { demoCapturePath, writeAtomic } from './demo-path';
import { generateDemoCapture, generateDemoFrames } from './generate';

export interface DemoIo {
  stdout(s: string): void;
  stderr(s: string): void;
}

const processIo: DemoIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

/** Prints the capture's path (only that) on stdout; returns the exit code. */
export async function demoCommand(o: { out?: string } = {}, io: DemoIo = processIo): Promise<number> {
  let path: string;
  if (o.out === undefined) {
    try {
      path = await demoCapturePath();
    } catch (e) {
      io.stderr(`glasspane: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
  } else {
    path = resolve(o.out);
    try {
      await writeAtomic(path, generateDemoCapture());
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why =
        err.code === 'ENOENT' || err.code === 'ENOTDIR'
          ? 'the folder does not exist'
          : err.code === 'EACCES' || err.code === 'EPERM'
            ? 'permission denied'
            : err.code === 'ENOSPC'
              ? 'the disk is full'
              : err.message;
      io.stderr(`glasspane: cannot write ${o.out}: ${why}\n`);
      return 2;
    }
  }
  const frames = generateDemoFrames().records.length;
  io.stdout(`${path}\n`);
  io.stderr(`glasspane: demo capture with ${frames} frames; open it with: glasspane analyze ${path}\n`);
  return 0;
}
