import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The shared real-capture corpus beside the project; tests skip cleanly where it is absent. */
export const PCAPS = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'pcaps');

export function corpusAvailable(): boolean {
  return existsSync(join(PCAPS, 'GROUND_TRUTH.jsonl'));
}

export function corpusFiles(): string[] {
  if (!existsSync(PCAPS)) return [];
  return readdirSync(PCAPS)
    .filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f))
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
