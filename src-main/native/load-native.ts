/**
 * The one way Glasspane loads a native addon (cap, later better-sqlite3). Under plain Node the
 * package in node_modules is built for Node's ABI and is required normally. Under Electron (main
 * main process, or a utility process such as the engine or the Node capture helper) that build would fail to load or crash, so
 * only an Electron-ABI build is accepted: a copy of the package rebuilt by the start script at
 * `.native/electron-<electron version>/<name>/`, looked up at the repo root and in the app resources.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeUnavailable {
  code: 'native-unavailable';
  /** Package name, e.g. 'cap'. */
  name: string;
  /** One line saying what went wrong, without a stack trace. */
  message: string;
  /** The original loader error, for logs only. */
  detail: string;
}

export type NativeResult<T> = { ok: true; module: T; from: string } | { ok: false; error: NativeUnavailable };

/** Path of this module's file, in the ESM source (tsx) and in an esbuild CJS bundle alike. */
export function thisFile(metaUrl: string | undefined): string {
  if (typeof __filename === 'string') return __filename;
  return fileURLToPath(metaUrl!);
}

// The only import.meta in src-main/native and capture/live: an esbuild CJS bundle takes the
// __filename branch (and warns that import.meta is empty there, harmlessly).
const HERE = thisFile(typeof __filename === 'string' ? undefined : import.meta.url);

/** True when this code runs from TypeScript source (tsx), false from a bundle under dist/. */
export function runningFromSource(): boolean {
  return HERE.endsWith('.ts');
}

/** The file this code was loaded from (the bundle, when bundled). */
export function loadedFrom(): string {
  return HERE;
}

let ownRoot: { dir: string | undefined } | undefined;

/**
 * The Glasspane root: the nearest folder above this file whose package.json is ours. Works from
 * src-main/native/ (source) and dist/ (bundle). Undefined inside a packaged app (use resources).
 */
export function repoRoot(from?: string): string | undefined {
  // From this file, once: the rules, the OUI index and the native loader each ask as an analysis
  // starts, and each answer read and parsed package.json again.
  if (from === undefined) return (ownRoot ??= { dir: rootAbove(dirname(HERE)) }).dir;
  return rootAbove(from);
}

function rootAbove(from: string): string | undefined {
  let dir = resolve(from);
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'glasspane') return dir;
      } catch {
        // Unreadable package.json: keep walking.
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** Where an Electron-ABI build of `name` may live, most specific first. */
export function electronBuildDirs(name: string, electronVersion: string): string[] {
  const roots: string[] = [];
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (typeof resources === 'string') roots.push(resources);
  const root = repoRoot();
  if (root !== undefined) roots.push(root);
  return roots.map((r) => join(r, '.native', `electron-${electronVersion}`, name));
}

/** Inside an installed app (resources path set, no source checkout around us). */
function isPackaged(): boolean {
  return (
    typeof (process as { resourcesPath?: string }).resourcesPath === 'string' && repoRoot() === undefined
  );
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 300);
}

const cache = new Map<string, NativeResult<unknown>>();

/**
 * Loads a native package once per process; never throws. `electron` is the Electron version whose
 * ABI is needed (default: the one running us, if any; tests pass one to exercise that path).
 */
export function loadNative<T>(name: string, electron = process.versions.electron): NativeResult<T> {
  const key = `${name}@${electron ?? 'node'}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit as NativeResult<T>;
  const r = loadUncached<T>(name, electron);
  cache.set(key, r);
  return r;
}

function loadUncached<T>(name: string, electron: string | undefined): NativeResult<T> {
  const req = createRequire(HERE);
  if (electron !== undefined) {
    const dirs = electronBuildDirs(name, electron);
    const dir = dirs.find((d) => existsSync(d));
    if (dir === undefined && isPackaged()) {
      // A packaged app: electron-builder's npmRebuild built node_modules for this Electron already.
      try {
        return { ok: true, module: req(name) as T, from: req.resolve(name) };
      } catch (e) {
        return fail(
          name,
          `The native module '${name}' did not load in this installation: ${firstLine(e)}. Reinstall the app.`,
          e,
        );
      }
    }
    if (dir === undefined) {
      return fail(
        name,
        `No Electron ${electron} build of '${name}' was found (looked in ${dirs.join(', ') || 'no root'}). ` +
          `Run 'npm start' (it rebuilds native modules for Electron into .native/), or reinstall the app.`,
        'not found',
      );
    }
    try {
      return { ok: true, module: req(dir) as T, from: dir };
    } catch (e) {
      return fail(name, `The Electron build of '${name}' in ${dir} did not load: ${firstLine(e)}.`, e);
    }
  }
  try {
    return { ok: true, module: req(name) as T, from: req.resolve(name) };
  } catch (e) {
    return fail(name, `The native module '${name}' did not load: ${firstLine(e)}.`, e);
  }
}

function fail(name: string, message: string, e: unknown): { ok: false; error: NativeUnavailable } {
  return { ok: false, error: { code: 'native-unavailable', name, message, detail: firstLine(e) } };
}
