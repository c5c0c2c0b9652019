/**
 * The two capture helpers under test: the Node one (capture-process.ts through tsx) and the native
 * glasspane-capture, compiled once per test file into a temporary folder by the real build script
 * (so the tests never depend on, or disturb, dist/). Live tests run the same cases against both.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  nativeCaptureHelper,
  nodeCaptureHelper,
  type HelperCommand,
} from '../../src-main/capture/live/live-source';

export type HelperKind = 'node' | 'native';
export const HELPER_KINDS: readonly HelperKind[] = ['node', 'native'];

export const repo = resolve(import.meta.dirname, '../..');

let built: { path: string; dir: string } | { skip: string } | undefined;

function build(): { path: string; dir: string } | { skip: string } {
  if (built !== undefined) return built;
  const dir = mkdtempSync(join(tmpdir(), 'gp-native-'));
  const r = spawnSync(process.execPath, [join(repo, 'scripts/build-capture-helper.mjs'), `--out=${dir}`], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the native helper did not build:\n${r.stdout}${r.stderr}`);
  const skipped = /skipping the native capture helper: (.*)/.exec(r.stdout);
  if (skipped !== null) {
    rmSync(dir, { recursive: true, force: true });
    built = { skip: `native helper not built here: ${skipped[1]}` };
  } else {
    built = { path: join(dir, 'capture-helper', 'glasspane-capture'), dir };
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return built;
}

/** Why the native helper cannot be tested here (no cc, no pcap.h), or null. */
export function nativeUnavailable(): string | null {
  const b = build();
  return 'skip' in b ? b.skip : null;
}

/** The freshly built native helper's path (call only when nativeUnavailable() is null). */
export function nativeHelperPath(): string {
  const b = build();
  if ('skip' in b) throw new Error(b.skip);
  return b.path;
}

export function helperFor(kind: HelperKind): HelperCommand {
  return kind === 'node' ? nodeCaptureHelper() : nativeCaptureHelper(nativeHelperPath());
}

/** Why live tests of `kind` cannot run: the lab's reason first, then the native build's. */
export function skipFor(kind: HelperKind, lab: string | null): string | false {
  return lab ?? (kind === 'native' ? (nativeUnavailable() ?? false) : false);
}
