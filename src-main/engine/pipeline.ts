import { LAYERS } from '../../shared/decode/layers';
import { Analyzer } from '../../shared/engine/analyzer';
import { APP_PROTOCOLS, SYN_OBSERVERS } from '../../shared/protocols';
import { vendorOf } from './oui';
import { loadRules } from '../classify/load';
import { readCaptureFile, type ReadOptions } from '../capture/file-source';

/**
 * An Analyzer with every dissector Glasspane has, and the IEEE OUI registry. `layersOnly`: layers 2-4
 * and the inventory alone (MACs, addresses, VLANs, traffic, who talks to whom), no application
 * dissectors: the quickest look at a large capture, and the baseline the benchmark compares with.
 */
export function createAnalyzer(o: { layersOnly?: boolean } = {}): Analyzer {
  const all = o.layersOnly !== true;
  return new Analyzer({
    layers: LAYERS,
    apps: all ? APP_PROTOCOLS : [],
    synObservers: all ? SYN_OBSERVERS : [],
    vendorOf,
    rules: loadRules(),
  });
}

/** Read one capture file into an analyzer; returns what the reader said about the file. */
export async function analyzeFile(a: Analyzer, path: string, o: ReadOptions = {}) {
  a.beginSource();
  const r = await readCaptureFile(
    path,
    { records: (buf, start, end, lt, ts, wl, iface) => a.frame(buf, lt, ts, wl, iface, start, end) },
    o,
  );
  a.endSource({ path, format: r.gzip ? r.format + '.gz' : r.format, frames: r.frames, warnings: r.warnings });
  return r;
}
