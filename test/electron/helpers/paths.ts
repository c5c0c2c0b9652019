import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// The Chromium the reports print with is the one the browser tests drive, with the same flags.
export { DEFAULT_CHROMIUM as CHROMIUM, CHROMIUM_ARGS } from '../../../src-main/report/pdf';

/** The Electron binary, or null when its download never happened (as on this machine). */
export function electronBinary(): string | null {
  try {
    const p: unknown = createRequire(join(repoRoot, 'package.json'))('electron');
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

/** Runs scripts/build.mjs with the given arguments; throws with its output when it fails. */
export function runBuild(args: string[]): void {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
}
