import { basename } from 'node:path';
import { collectFingerprints, type FingerprintRow } from '../../shared/classify';
import { CaptureFileError } from '../capture/file-source';
import { loadRules, RULES_DIR } from '../classify/load';
import { analyzeFile, createAnalyzer } from '../engine/pipeline';
import { UsageError, writeOutput } from './output';

export interface FingerprintsOptions {
  /** Only fingerprints no rule matches (what to write rules for). */
  unknown?: boolean;
  format?: 'table' | 'json';
  /** Only these schemes (dhcp, tcp-syn, tcp-synack, ja3, ja4, ja3s, ja4s, hassh, dhcpv6, ...). */
  scheme?: string[];
  out?: string;
  rules?: string;
}

/**
 * `glasspane fingerprints [--unknown] <capture...>`: analyze captures like `analyze` does, then list
 * every fingerprint with how often it was heard, the devices that sent it and the rules that know it.
 * Returns the exit code.
 */
export async function fingerprintsCommand(files: string[], o: FingerprintsOptions = {}): Promise<number> {
  const format = o.format ?? 'table';
  if (format !== 'table' && format !== 'json')
    throw new UsageError(`unknown format '${String(format)}': use table or json`);
  let rules;
  try {
    rules = loadRules(o.rules ?? RULES_DIR);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const a = createAnalyzer();
  for (const f of files) {
    try {
      const r = await analyzeFile(a, f);
      for (const w of r.warnings) process.stderr.write(`glasspane: ${basename(f)}: warning: ${w}\n`);
    } catch (e) {
      if (e instanceof CaptureFileError) throw new UsageError(e.message);
      throw e;
    }
  }
  let rows = collectFingerprints(a.inventory, rules, { unknownOnly: o.unknown === true });
  if (o.scheme !== undefined && o.scheme.length > 0) rows = rows.filter((r) => o.scheme!.includes(r.scheme));
  const text = format === 'json' ? JSON.stringify(rows, null, 2) + '\n' : table(rows, o.unknown === true);
  await writeOutput(text, o.out);
  return 0;
}

function table(rows: FingerprintRow[], unknown: boolean): string {
  if (rows.length === 0)
    return unknown ? 'every fingerprint seen is matched by a rule\n' : 'no fingerprints seen\n';
  const out: string[] = [];
  let scheme = '';
  for (const r of rows) {
    if (r.scheme !== scheme) {
      scheme = r.scheme;
      out.push(`${scheme}:`);
    }
    const who = r.devices
      .slice(0, 6)
      .map(
        (d) => d.id + (d.hostname !== null ? ` (${d.hostname})` : d.vendor !== null ? ` (${d.vendor})` : ''),
      )
      .join(', ');
    const more = r.devices.length > 6 ? `, +${r.devices.length - 6} more` : '';
    const rules = unknown ? '' : r.rules.length === 0 ? '  [no rule]' : `  [${r.rules.join(', ')}]`;
    out.push(`  ${String(r.count).padStart(6)}  ${r.value}${rules}`);
    out.push(`          from ${who}${more}`);
  }
  return out.join('\n') + '\n';
}
