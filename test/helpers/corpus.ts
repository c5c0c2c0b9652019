import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The shared real-capture corpus beside the project (never copied in); tests skip cleanly where it is absent. */
export const PCAPS = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'pcaps');

export function corpusAvailable(): boolean {
  return existsSync(join(PCAPS, 'GROUND_TRUTH.jsonl'));
}

/** For a test's options: `{ skip: CORPUS_SKIP }`. */
export const CORPUS_SKIP: string | false = corpusAvailable()
  ? false
  : `the capture corpus (${PCAPS}) is absent`;

/** A corpus capture's path (an absolute path stays as it is). */
export function corpusPath(name: string): string {
  return resolve(PCAPS, name);
}

/**
 * Skips the test unless the corpus and each named capture in it are there; true when it skipped:
 * `if (skipUnlessCorpus(t, FILE)) return;`.
 */
export function skipUnlessCorpus(t: { skip(message?: string): void }, ...names: string[]): boolean {
  if (CORPUS_SKIP !== false) {
    t.skip(CORPUS_SKIP);
    return true;
  }
  const missing = names.map(corpusPath).find((p) => !existsSync(p));
  if (missing === undefined) return false;
  t.skip(`${missing} is absent`);
  return true;
}

/** The corpus captures, sorted; only those whose names start with one of `prefixes` when given. */
export function corpusFiles(prefixes?: readonly string[]): string[] {
  if (!existsSync(PCAPS)) return [];
  return readdirSync(PCAPS)
    .filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f))
    .filter((f) => prefixes === undefined || prefixes.some((p) => f.startsWith(p)))
    .sort();
}

export interface GtDevice {
  key: string;
  via: string;
  macs: string[];
  oui: string[];
  ips: string[];
  n_ips: number;
  pkts: number;
  evidence: Record<string, [string, string[]][]>;
}

export interface GtCapture {
  file: string;
  packets: number;
  n_devices: number;
  devices: GtDevice[];
}

export function groundTruth(): GtCapture[] {
  if (!corpusAvailable()) return [];
  return readFileSync(join(PCAPS, 'GROUND_TRUTH.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as GtCapture);
}
