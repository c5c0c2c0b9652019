/**
 * Which capture helper runs, and how. Two helpers speak the same framing (./framing.ts):
 *   - native: glasspane-capture, a small C program (src-main/capture/helper/), the one a packaged app
 *     gives capture rights to (setcap at install; see assets/linux/after-install.sh);
 *   - node: capture-process.ts through the cap addon, run by node (under Electron: a utility process).
 * The native one is preferred wherever it is found (even when this user may not run it: see present);
 * GLASSPANE_CAPTURE_HELPER overrides (a .ts/.cjs/.js file runs under node, 'node' picks the Node
 * helper, any other path is a native one).
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { loadedFrom, repoRoot, runningFromSource } from '../../native/load-native';
import type { CaptureConfig } from './config';

export const NATIVE_HELPER_NAME = 'glasspane-capture';
/** Where build-capture-helper.mjs writes it (dist/) and electron-builder puts it (resources/). */
export const NATIVE_HELPER_DIST = `capture-helper/${NATIVE_HELPER_NAME}`;
export const NATIVE_HELPER_RESOURCES = `capture/${NATIVE_HELPER_NAME}`;

export interface HelperCommand {
  command: string;
  args: string[];
  /** Working directory (tsx is resolved from it in development). */
  cwd?: string;
  /** True for the native executable: configured with arguments, not JSON. */
  native?: boolean;
}

/**
 * A regular file. Whether this user may run it is not asked: the installed helper is runnable by the
 * glasspane group only, and a user outside it must hear that (errors.ts, notInCaptureGroup) rather
 * than fall back silently to the Node helper, which has no rights either.
 */
function present(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Whether this user may run `file` (false for the installed helper outside the capture group). */
export function mayRun(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Places the native helper may be, most specific first. */
export function nativeHelperCandidates(): string[] {
  const out: string[] = [];
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (typeof resources === 'string') out.push(join(resources, NATIVE_HELPER_RESOURCES));
  // A bundle inside resources/app.asar/dist/...: resources/ is the folder holding app.asar.
  const from = loadedFrom();
  const asar = from.lastIndexOf(`${sep}app.asar${sep}`);
  if (asar > 0) out.push(join(from.slice(0, asar), NATIVE_HELPER_RESOURCES));
  const root = repoRoot();
  if (root !== undefined) out.push(join(root, 'dist', NATIVE_HELPER_DIST));
  return [...new Set(out)];
}

/** The native helper's path when one is there, else null. Never on Windows. */
export function findNativeHelper(): string | null {
  if (process.platform === 'win32') return null;
  return nativeHelperCandidates().find(present) ?? null;
}

export function nativeCaptureHelper(file: string): HelperCommand {
  return { command: file, args: [], native: true };
}

/** The Node helper: from TypeScript source through tsx, from a build dist/capture-process.cjs. */
export function nodeCaptureHelper(file?: string): HelperCommand {
  const root = repoRoot();
  const cmd = (f: string): HelperCommand =>
    f.endsWith('.ts')
      ? { command: process.execPath, args: ['--import', 'tsx', f], cwd: root }
      : { command: process.execPath, args: [f], cwd: root };
  if (file !== undefined) return cmd(file);
  if (runningFromSource() && root !== undefined) {
    return cmd(join(root, 'src-main', 'capture', 'live', 'capture-process.ts'));
  }
  const candidates = [join(dirname(loadedFrom()), 'capture-process.cjs')];
  if (root !== undefined) candidates.push(join(root, 'dist', 'capture-process.cjs'));
  return cmd(candidates.find((c) => existsSync(c)) ?? candidates[candidates.length - 1]!);
}

/**
 * How to run the helper: GLASSPANE_CAPTURE_HELPER when set; else the native helper when it is next
 * to the app (packaged: resources/capture/, development: dist/capture-helper/); else the Node one.
 * Under Electron the Node helper runs as a utility process main forks (./helper-relay.ts): the
 * packaged app's RunAsNode fuse is off, so process.execPath cannot run it as node.
 */
export function resolveCaptureHelper(): HelperCommand {
  const override = process.env.GLASSPANE_CAPTURE_HELPER;
  if (override !== undefined && override !== '') {
    if (override === 'node') return nodeCaptureHelper();
    return /\.(ts|cjs|mjs|js)$/.test(override) ? nodeCaptureHelper(override) : nativeCaptureHelper(override);
  }
  const native = findNativeHelper();
  return native !== null ? nativeCaptureHelper(native) : nodeCaptureHelper();
}

/**
 * The helper's arguments for a config: the one place a CaptureConfig becomes a command line. The
 * Node helper takes the JSON; the native one options with the same meaning (glasspane-capture.c).
 */
export function configArgs(h: HelperCommand, cfg: CaptureConfig): string[] {
  if (h.native !== true) return [JSON.stringify(cfg)];
  if (cfg.list === true) return ['--list'];
  const a: string[] = [];
  for (const i of cfg.interfaces) a.push('--interface', i);
  if (cfg.filter !== undefined && cfg.filter !== '') a.push('--filter', cfg.filter);
  const num = (flag: string, v: number | undefined) => {
    // Out-of-range and non-integer values go through as they are: the helper refuses them (bad-config).
    if (v !== undefined) a.push(flag, String(v));
  };
  num('--snaplen', cfg.snaplen);
  num('--buffer-size', cfg.bufferSize);
  num('--stats-interval-ms', cfg.statsIntervalMs);
  num('--max-queue-bytes', cfg.maxQueueBytes);
  if (cfg.allowPseudoDevice === true) a.push('--allow-pseudo-device');
  return a;
}
