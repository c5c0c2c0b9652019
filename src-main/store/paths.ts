import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the inventory database lives when no --db is given: the platform's per-user data folder
 * (%APPDATA% on Windows, ~/Library/Application Support on macOS, $XDG_DATA_HOME or ~/.local/share
 * elsewhere), under "glasspane". The folder is not created here.
 */
export function defaultDbPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): string {
  return join(defaultDataDir(env, platform, home), 'inventory.db');
}

/** Glasspane's per-user data folder: the store's default database and the forwarding queues. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): string {
  return join(appDataDir(env, platform, home), 'glasspane');
}

export function appDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') return env.APPDATA ?? join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  const xdg = env.XDG_DATA_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  return xdg !== undefined && xdg.startsWith('/') ? xdg : join(home, '.local', 'share');
}
