import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import { CaptureFileError } from '../../src-main/capture/file-source';

export function editcapAvailable(): boolean {
  return spawnSync('editcap', ['-h'], { stdio: 'ignore' }).status === 0;
}

/** A copy of `file` with 2 % of its bytes corrupted by editcap (Wireshark's fuzz-test method), seeded. */
export function corrupt(
  file: string,
  seed: number,
  dir = mkdtempSync(join(tmpdir(), 'gp-fuzz-')),
  rate = 0.02,
): string {
  const out = join(dir, `${seed}-${basename(file)}`);
  const r = spawnSync('editcap', ['-E', String(rate), '--seed', String(seed), file, out], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`editcap failed: ${r.stderr}`);
  return out;
}

/**
 * Analyse a capture the way the CLI does. Returns null when it is fine, or what went wrong: an
 * exception escaping other than the reader's own "not a capture" verdict, or output that is not a
 * well-formed inventory.
 */
export async function analyzeSurvives(path: string): Promise<string | null> {
  const a = createAnalyzer();
  try {
    await analyzeFile(a, path);
  } catch (e) {
    if (e instanceof CaptureFileError) return null;
    return `${basename(path)}: ${e instanceof Error ? e.stack : String(e)}`;
  }
  const inv = a.snapshot({ evidence: true });
  try {
    JSON.parse(JSON.stringify(inv));
  } catch (e) {
    return `${basename(path)}: inventory does not serialise: ${String(e)}`;
  }
  if (inv.stats.dissectorErrors > 0)
    return `${basename(path)}: ${inv.stats.dissectorErrors} dissector exceptions (caught, but each is a bug)`;
  return null;
}
