import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { startRecording } from '../../src-main/cli/db';
import type { AlertJson } from '../../shared/model/alert';
import type { InventoryJson } from '../../shared/model/inventory';
import { PCAPS } from '../helpers/corpus';

/**
 * Analyse real captures in-process as `glasspane analyze --db --learn 0` does: the inventory it
 * prints and the alerts it raised (with no learning period every device is new, so alerts exist).
 */
export async function analyzeCorpus(files: string[]): Promise<{ inv: InventoryJson; alerts: AlertJson[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'gp-fwd-'));
  try {
    const a = createAnalyzer();
    const rec = startRecording(a, join(dir, 'db.sqlite'), { learnMs: 0 });
    for (const f of files) await analyzeFile(a, join(PCAPS, f));
    const r = rec.finish();
    return { inv: r.inventory as InventoryJson, alerts: r.alerts };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
