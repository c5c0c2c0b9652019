import type { Observation } from '../../../shared/model/observation';
import { OT_PROTOCOLS } from '../../../shared/protocols/ot/index';
import { decodeCapture, type CaptureRun } from '../../helpers/decode';
import { PCAPS, corpusFiles, corpusPath } from '../../helpers/corpus';
import { tsharkAvailable, tsharkFields } from '../../helpers/tshark';

export { PCAPS, corpusFiles };

export type CorpusRun = CaptureRun;

/** Run a capture through the real decode pipeline with the OT dissectors. */
export async function runCapture(file: string): Promise<CorpusRun> {
  return decodeCapture(corpusPath(file), OT_PROTOCOLS);
}

/** tshark fields per frame: frame number -> values per field (occurrences split on '|', empty ones kept). */
export function tshark(file: string, filter: string, fields: readonly string[]): Map<number, string[][]> {
  return tsharkFields(corpusPath(file), fields, 'a', filter, { keepEmpty: true });
}

export { tsharkAvailable as hasTshark };

/** Observations of one frame, optionally of one kind/field. */
export function ofFrame(obs: readonly Observation[], frame: number): Observation[] {
  return obs.filter((o) => o.frame === frame);
}

export function identities(obs: readonly Observation[], frame: number, attr: string): string[] {
  return ofFrame(obs, frame).flatMap((o) => (o.kind === 'identity' && o.attr === attr ? [o.value] : []));
}

export interface FieldAgreement {
  field: string;
  /** Frames where both tshark and we produced the field. */
  both: number;
  /** Of those, frames where the values agree. */
  agree: number;
  disagreements: string[];
  /** Frames where only tshark produced it (we did not decode it: reassembly, etc.). */
  tsharkOnly: number[];
  /** Frames where only we produced it. */
  oursOnly: number[];
}

/**
 * Frame-by-frame agreement of one tshark field with the values we extract from the same frame.
 * `ours` picks our value(s) from one observation; `norm` maps tshark's text to our form.
 */
export function agreement(
  tsharkValues: Map<number, string[][]>,
  col: number,
  field: string,
  obs: readonly Observation[],
  ours: (o: Observation) => string | null,
  norm: (s: string) => string = (s) => s,
): FieldAgreement {
  const mine = new Map<number, Set<string>>();
  for (const o of obs) {
    const v = ours(o);
    if (v === null) continue;
    let s = mine.get(o.frame);
    if (s === undefined) mine.set(o.frame, (s = new Set()));
    s.add(v);
  }
  const a: FieldAgreement = { field, both: 0, agree: 0, disagreements: [], tsharkOnly: [], oursOnly: [] };
  for (const [frame, cols] of tsharkValues) {
    const tv = (cols[col] ?? []).map(norm);
    if (tv.length === 0) continue;
    const m = mine.get(frame);
    if (m === undefined) {
      a.tsharkOnly.push(frame);
      continue;
    }
    a.both++;
    if (tv.every((v) => m.has(v))) a.agree++;
    else a.disagreements.push(`frame ${frame}: tshark ${JSON.stringify(tv)} ours ${JSON.stringify([...m])}`);
  }
  for (const frame of mine.keys()) {
    const cols = tsharkValues.get(frame);
    if (cols === undefined || (cols[col] ?? []).length === 0) a.oursOnly.push(frame);
  }
  return a;
}

/** Numbers as tshark prints them (0x-hex or decimal) to plain decimal text. */
export const dec = (s: string): string => String(Number(s));
