import { open } from 'node:fs/promises';
import { hostname } from 'node:os';
import {
  inventoryFromPartial,
  mergeAll,
  parsePartial,
  type PartialInventory,
  type PartialSource,
} from '../../shared/inventory/partial';
import { loadRules } from '../classify/load';
import { vendorOf } from '../engine/oui';
import { toCsv, toJson, toTable } from './format';
import { UsageError, writeOutput } from './output';

export interface MergeOptions {
  format: 'json' | 'csv' | 'table';
  out?: string;
  evidence?: boolean;
  ids?: 'auto' | 'local' | 'qualified';
}

/** What one JavaScript string holds comfortably; a partial of 100k devices with evidence fits. */
const MAX_PARTIAL_BYTES = 512 * 1024 * 1024;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * `--site`, `--sensor` and `--l2domain` of `analyze --partial-out`, checked as a partial checks them.
 * The sensor defaults to this machine's name (made to fit), the site to "local".
 */
export function partialSource(o: { site?: string; sensor?: string; l2domain?: string }): {
  source: PartialSource;
  l2domain?: string;
} {
  const host = hostname()
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  const site = o.site ?? 'local';
  const sensor = o.sensor ?? (host !== '' ? host : 'local');
  for (const [flag, v] of [
    ['--site', site],
    ['--sensor', sensor],
    ['--l2domain', o.l2domain],
  ] as const)
    if (v !== undefined && !NAME.test(v))
      throw new UsageError(
        `${flag} '${v}' is not a name: use a letter or digit, then up to 63 letters, digits, '.', '_' or '-'`,
      );
  return { source: { site, sensor }, ...(o.l2domain !== undefined ? { l2domain: o.l2domain } : {}) };
}

async function readPartial(path: string): Promise<PartialInventory> {
  let text: string;
  try {
    const f = await open(path, 'r');
    try {
      const st = await f.stat();
      if (!st.isFile()) throw new UsageError(`${path} is not a file: give partial inventory files (JSON)`);
      if (st.size > MAX_PARTIAL_BYTES)
        throw new UsageError(`${path} is larger than any partial inventory (${st.size} bytes)`);
      text = await f.readFile('utf8');
    } finally {
      await f.close();
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT'
        ? 'no such file'
        : err.code === 'EACCES' || err.code === 'EPERM'
          ? 'permission denied'
          : err.code === 'EISDIR'
            ? 'it is a folder'
            : err.message;
    throw new UsageError(`cannot read ${path}: ${why}`);
  }
  const r = parsePartial(text);
  if (!r.ok)
    throw new UsageError(
      `${path}: ${r.reason}; give files written by 'glasspane analyze --partial-out' or by a sensor`,
    );
  return r.partial;
}

/** `glasspane merge A.json B.json ...`: partial inventories merged, printed as an inventory. */
export async function mergeCommand(files: string[], o: MergeOptions): Promise<number> {
  if (files.length === 0)
    throw new UsageError(
      "nothing to merge: give partial inventory files ('glasspane analyze --partial-out F')",
    );
  const partials: PartialInventory[] = [];
  // One at a time: each is checked before the next is read, and a bad one names itself.
  for (const f of files) partials.push(await readPartial(f));
  const inv = inventoryFromPartial(mergeAll(partials), {
    rules: loadRules(),
    vendorOf,
    evidence: o.evidence === true,
    ids: o.ids,
  });
  const text = o.format === 'json' ? toJson(inv) : o.format === 'csv' ? toCsv(inv) : toTable(inv);
  await writeOutput(text, o.out);
  return 0;
}
