/**
 * Where the demo capture lives: generated once per version into the user's cache folder, written
 * atomically, so a start screen can offer it without shipping a capture. Without a writable cache
 * it goes to a private folder of this process made by mkdtemp (0700, unpredictable name), never to
 * a fixed path in the shared temp folder, where another user could have put a symlink or a
 * capture of their own first.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoCapture } from './generate';

/** Bump when the generator's output changes, so an old cached file is not reused. */
export const DEMO_VERSION = 1;
export const DEMO_FILE = `glasspane-demo-v${DEMO_VERSION}.pcap`;

function cacheDir(): string {
  const env = process.env;
  if (env.GLASSPANE_CACHE_DIR) return env.GLASSPANE_CACHE_DIR;
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'Glasspane', 'Cache');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'Glasspane');
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'glasspane');
  return join(homedir(), '.cache', 'glasspane');
}

/**
 * Writes `bytes` to `path` through a temporary file renamed into place. The temporary name is
 * random and created exclusively (O_EXCL), so nothing planted beside it is followed or reused.
 */
export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, bytes, { flag: 'wx' });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/** This process's private temp folder, made once when first needed. */
let privateTmp: Promise<string> | null = null;
const privateTempDir = () => (privateTmp ??= mkdtemp(join(tmpdir(), 'glasspane-demo-')));

let pending: Promise<string> | null = null;

/**
 * The path of the demo capture, generating it on first use (the cache, else the temp folder), and
 * again if the file has since been removed (caches get cleaned).
 */
export async function demoCapturePath(): Promise<string> {
  if (pending !== null) {
    const p = await pending.catch(() => null);
    if (p !== null && existsSync(p)) return p;
    pending = null;
  }
  pending ??= (async () => {
    const bytes = generateDemoCapture();
    for (const folder of [async () => cacheDir(), privateTempDir]) {
      try {
        const dir = await folder();
        const path = join(dir, DEMO_FILE);
        const have = await readFile(path).catch(() => null);
        if (have !== null && have.equals(bytes)) return path;
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await writeAtomic(path, bytes);
        return path;
      } catch {
        // Not writable (a read-only home): try the next folder.
      }
    }
    throw new Error('cannot write the demo capture to the cache or the temp folder');
  })();
  return pending;
}
