/**
 * Where a report's inventory comes from: capture files analysed now, or the device store (which
 * also holds alerts, manual edits and merges).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AlertJson } from '../../shared/model/alert';
import type { InventoryJson } from '../../shared/model/inventory';
import { CaptureFileError } from '../capture/file-source';
import { analyzeFile, createAnalyzer } from '../engine/pipeline';

export class ReportInputError extends Error {}

export interface LoadedInventory {
  inventory: InventoryJson;
  /** Alerts from the store; undefined when the source has none (capture files). */
  alerts?: AlertJson[];
  sources: string[];
  warnings: string[];
}

export async function inventoryFromCaptures(paths: string[]): Promise<LoadedInventory> {
  const a = createAnalyzer();
  const warnings: string[] = [];
  for (const p of paths) {
    try {
      const r = await analyzeFile(a, p);
      warnings.push(...r.warnings.map((w) => `${p}: ${w}`));
    } catch (e) {
      if (e instanceof CaptureFileError) throw new ReportInputError(e.message);
      throw e;
    }
  }
  return { inventory: a.snapshot(), sources: paths, warnings };
}

/**
 * Reads the store. The store module opens its database for writing (it migrates the schema), so
 * a missing file is refused here rather than created empty.
 */
export async function inventoryFromStore(path: string): Promise<LoadedInventory> {
  const full = resolve(path);
  if (!existsSync(full)) throw new ReportInputError(`no device store at ${path}`);
  let mod: typeof import('../store/store');
  try {
    mod = await import('../store/store');
  } catch (e) {
    throw new ReportInputError(
      `the device store is not available: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  let store;
  try {
    store = new mod.Store(full);
  } catch (e) {
    throw new ReportInputError(
      `cannot open the device store ${path}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  try {
    return {
      inventory: store.snapshot(),
      alerts: store.alerts(),
      sources: [`device store ${full}`],
      warnings: [],
    };
  } finally {
    store.close();
  }
}
