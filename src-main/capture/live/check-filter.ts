/**
 * A capture filter checked by libpcap itself before a capture starts: the native capture helper
 * compiles it for Ethernet (`--check-filter`), opening nothing and needing no rights. Without the
 * native helper (not built: no C compiler or libpcap headers) there is nothing to ask, and the
 * caller says so instead of guessing.
 */
import { execFile } from 'node:child_process';
import { findNativeHelper } from './helper-path';

export type FilterCheck = { ok: boolean; message: string | null };

/** libpcap's verdict, or null when no native helper is there to give one. */
export function checkFilterWithLibpcap(
  filter: string,
  helper = findNativeHelper(),
): Promise<FilterCheck | null> {
  if (helper === null) return Promise.resolve(null);
  return new Promise((resolve) => {
    execFile(
      helper,
      ['--check-filter', filter],
      { timeout: 5000, maxBuffer: 64 * 1024, encoding: 'utf8' },
      (err, stdout) => {
        const text = stdout.trim().slice(0, 1000);
        const code = (err as { code?: unknown } | null)?.code;
        if (err === null && text === 'ok') resolve({ ok: true, message: null });
        else if (code === 3) resolve({ ok: false, message: text || 'libpcap rejects the filter' });
        // The helper failed in some other way (killed, missing library): no verdict.
        else resolve(null);
      },
    );
  });
}
