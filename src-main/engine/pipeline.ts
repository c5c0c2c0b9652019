import { LAYERS } from '../../shared/decode/layers';
import { Analyzer } from '../../shared/engine/analyzer';
import { APP_PROTOCOLS, SYN_OBSERVERS } from '../../shared/protocols';
import type { AppProtocol } from '../../shared/protocols/contract';
import { vendorOf } from './oui';
import { loadRules } from '../classify/load';
import { readCaptureFile, type ReadOptions } from '../capture/file-source';
import type { InventoryLimits } from '../../shared/inventory/limits';

/** TCP SYN / SYN-ACK signatures (OS fingerprints) go by this name in `--protocols`. */
const SYN_NAME = 'tcp-syn';

/** The names `--protocols` takes: the groups, then every dissector. */
export const PROTOCOL_NAMES: readonly string[] = [
  'all',
  'none',
  'it',
  'ot',
  SYN_NAME,
  ...APP_PROTOCOLS.map((a) => a.name),
];

export interface ProtocolSelection {
  apps: AppProtocol[];
  syn: boolean;
}

export class UnknownProtocolError extends Error {
  constructor(readonly protocol: string) {
    super(`unknown protocol '${protocol}': use ${PROTOCOL_NAMES.join(', ')}`);
  }
}

/**
 * Which dissectors run, from names: `all`, `none` (layers 2-4 and the inventory alone), the groups
 * `it` (IT and IoT identity, TCP SYN signatures included) and `ot` (industrial protocols), or single
 * dissectors by name, in any case. An unknown name is an error that lists the known ones.
 */
export function selectProtocols(names: readonly string[]): ProtocolSelection {
  const apps = new Set<AppProtocol>();
  let syn = false;
  for (const raw of names) {
    const n = raw.trim().toLowerCase();
    if (!PROTOCOL_NAMES.includes(n)) throw new UnknownProtocolError(raw.trim());
    if (n === 'all' || n === 'it' || n === SYN_NAME) syn = true;
    for (const a of APP_PROTOCOLS) if (n === 'all' || n === a.group) apps.add(a);
    const one = APP_PROTOCOLS.find((a) => a.name === n);
    if (one !== undefined) apps.add(one);
  }
  // Registration order decides who owns a shared port and the order heuristics are tried in: keep it.
  return { apps: APP_PROTOCOLS.filter((a) => apps.has(a)), syn };
}

/**
 * An Analyzer with the IEEE OUI registry and the chosen dissectors (every one by default). With
 * `protocols: ['none']`, layers 2-4 and the inventory alone (MACs, addresses, VLANs, traffic, who talks
 * to whom): the quickest look at a large capture, and the baseline the benchmark compares with.
 */
export function createAnalyzer(
  o: {
    protocols?: readonly string[];
    limits?: Partial<InventoryLimits>;
    /**
     * false: no classification rules, for an analyzer whose inventory leaves as a partial (a thread's
     * share of a capture: the merge classifies), which then neither reads nor compiles them.
     */
    classify?: boolean;
  } = {},
): Analyzer {
  const sel = selectProtocols(o.protocols ?? ['all']);
  return new Analyzer({
    layers: LAYERS,
    apps: sel.apps,
    synObservers: sel.syn ? SYN_OBSERVERS : [],
    vendorOf,
    rules: o.classify === false ? undefined : loadRules(),
    limits: o.limits,
  });
}

/**
 * Read one capture file into an analyzer; returns what the reader said about the file, with the
 * link types the decoder could not read added to its warnings.
 */
export async function analyzeFile(a: Analyzer, path: string, o: ReadOptions = {}) {
  a.beginSource();
  const r = await readCaptureFile(path, { records: (buf, start, end, h) => a.record(buf, start, end, h) }, o);
  const format = r.gzip ? r.format + '.gz' : r.format;
  r.warnings.push(...a.endSource({ path, format, frames: r.frames, warnings: [...r.warnings] }));
  return r;
}
