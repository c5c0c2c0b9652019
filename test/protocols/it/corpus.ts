import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Observation } from '../../../shared/model/observation';
import { IT_PROTOCOLS } from '../../../shared/protocols/it/index';
import { PCAPS } from '../../helpers/corpus';
import { decodeCapture, type CaptureRun } from '../../helpers/decode';

export { PCAPS };

export function pcapPath(name: string): string | null {
  const p = join(PCAPS, name);
  return existsSync(p) ? p : null;
}

export type RunResult = CaptureRun;

/** Run a capture through the real decoder with the IT dissectors (and TCP SYN signatures). */
export function runCapture(path: string): RunResult {
  return decodeCapture(path, IT_PROTOCOLS, { synSignatures: true });
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
