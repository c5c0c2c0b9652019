import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decoder } from '../../../shared/decode/decoder';
import { LAYERS } from '../../../shared/decode/layers/index';
import { CaptureParser } from '../../../shared/capture/parser';
import { TCP_SYN } from '../../../shared/decode/packet';
import type { Observation } from '../../../shared/model/observation';
import { IT_PROTOCOLS, tcpSignature } from '../../../shared/protocols/it/index';
import { PCAPS } from '../../helpers/corpus';

export { PCAPS };

export function pcapPath(name: string): string | null {
  const p = join(PCAPS, name);
  return existsSync(p) ? p : null;
}

export interface RunResult {
  obs: Observation[];
  frames: number;
  dissectorErrors: number;
  /** Frame numbers where each app protocol name was recognised. */
  protoFrames: Map<string, Set<number>>;
  /** Frames the pipeline skipped as verbatim repeats of a datagram already dissected (no observations). */
  repeatFrames: Set<number>;
}

/** Run a capture through the real decoder with the IT dissectors (and TCP SYN signatures). */
export function runCapture(path: string): RunResult {
  const dec = new Decoder(LAYERS, IT_PROTOCOLS);
  const obs: Observation[] = [];
  dec.onObservation = (o) => obs.push(o);
  const protoFrames = new Map<string, Set<number>>();
  const repeatFrames = new Set<number>();
  const stats = dec.stats as { repeats?: number };
  let frame = 0;
  const parser = new CaptureParser((data, linkType, ts, wireLen, iface) => {
    frame++;
    const before = stats.repeats ?? 0;
    const p = dec.decode(data, linkType, ts, frame, wireLen, iface);
    if ((stats.repeats ?? 0) > before) repeatFrames.add(frame);
    if ((p.tcpFlags & TCP_SYN) !== 0) {
      const s = tcpSignature(p);
      if (s !== null) obs.push(s);
    }
    for (let i = 0; i < p.protoCount; i++) {
      const n = p.protos[i]!;
      let s = protoFrames.get(n);
      if (s === undefined) protoFrames.set(n, (s = new Set()));
      s.add(frame);
    }
  });
  parser.push(readFileSync(path));
  parser.end();
  return { obs, frames: frame, dissectorErrors: dec.stats.dissectorErrors, protoFrames, repeatFrames };
}

/** Our values per frame for one (protocol, field, value-extractor) selection. */
export function valuesByFrame(
  obs: Observation[],
  pick: (o: Observation) => string | null,
): Map<number, string[]> {
  const m = new Map<number, string[]>();
  for (const o of obs) {
    const v = pick(o);
    if (v === null) continue;
    let a = m.get(o.frame);
    if (a === undefined) m.set(o.frame, (a = []));
    if (!a.includes(v)) a.push(v);
  }
  return m;
}
