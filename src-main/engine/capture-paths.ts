/**
 * The checks on paths a UI asks the engine to open, made before the current inventory is let go:
 * what exists must be a regular file (stat opens nothing, so a FIFO cannot block here; the reader
 * then opens non-blocking and checks again what it opened), and with a capture folder
 * (`serve --capture-dir`) the real path, symlinks and '..' resolved, must lie inside it.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { notRegularFile } from '../capture/file-source';
import { CallFailure } from '../ipc/engine-api';

export interface CapturePathRules {
  /** The real path of the only folder captures may be opened from. */
  dir?: string;
  /** Real paths allowed outside it (the engine's own demo capture). */
  alsoAllowed?: readonly string[];
}

/** The paths to read (real paths when confined); throws CallFailure for one that may not be opened. */
export async function checkCapturePaths(
  paths: readonly string[],
  rules: CapturePathRules,
): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let path = p;
    if (rules.dir !== undefined) {
      let real: string;
      try {
        real = await realpath(isAbsolute(p) ? p : resolve(rules.dir, p));
      } catch {
        throw new CallFailure('bad-request', `${p}: no such file in the capture folder ${rules.dir}`);
      }
      const inside = real.startsWith(rules.dir.endsWith(sep) ? rules.dir : rules.dir + sep);
      if (!inside && !(rules.alsoAllowed ?? []).includes(real))
        throw new CallFailure(
          'forbidden',
          `${p} is outside the capture folder ${rules.dir}: this console opens captures from that folder only; copy the file into it`,
        );
      path = real;
    }
    // What does not exist, or is a folder, is left to the run, which says so in its status.
    const st = await stat(path).catch(() => null);
    if (st !== null && !st.isFile() && !st.isDirectory())
      throw new CallFailure('bad-request', notRegularFile(p, st).message);
    out.push(path);
  }
  return out;
}
