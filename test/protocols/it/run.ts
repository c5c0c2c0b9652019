import type { Observation } from '../../../shared/model/observation';
import { IT_PROTOCOLS } from '../../../shared/protocols/it/index';
import { decodeFrames as decode, type FramesRun } from '../../helpers/decode';
import { prng } from '../../helpers/random';

/** Decode crafted Ethernet frames with the IT dissectors; one decoder across frames (flow state persists). */
export function decodeFrames(frames: Uint8Array[]): FramesRun {
  return decode(frames, IT_PROTOCOLS);
}

export function decodeOne(frame: Uint8Array): Observation[] {
  return decodeFrames([frame]).obs;
}

/**
 * Facts as "ip field value" lines, sorted, for whole-set comparisons: the observations `keep` takes,
 * each by its value (host name, identity or attribute value, role; else its kind), cut at `width`.
 */
export function factLines(
  obs: readonly Observation[],
  keep: (o: Observation) => boolean,
  width = Infinity,
): string[] {
  return obs
    .filter(keep)
    .map((o) => {
      const v =
        o.kind === 'hostname'
          ? o.name
          : o.kind === 'identity' || o.kind === 'attribute'
            ? o.value
            : o.kind === 'role'
              ? o.role
              : o.kind;
      return `${o.device.ip} ${o.field} ${v.slice(0, width)}`;
    })
    .sort();
}

/** Observations of a kind, narrowed. */
export function ofKind<K extends Observation['kind']>(
  obs: Observation[],
  kind: K,
): Extract<Observation, { kind: K }>[] {
  return obs.filter((o): o is Extract<Observation, { kind: K }> => o.kind === kind);
}

/** Every prefix of a frame, and byte-flipped copies: none may throw or count a dissector error. */
export function hostileVariants(frame: Uint8Array, headerLen: number, seed = 1): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let n = headerLen; n < frame.length; n++) out.push(frame.slice(0, n));
  const rnd = prng(seed);
  for (let i = 0; i < 200; i++) {
    const c = frame.slice();
    const flips = 1 + Math.floor(rnd() * 4);
    for (let k = 0; k < flips; k++) {
      const at = headerLen + Math.floor(rnd() * (c.length - headerLen));
      c[at] = Math.floor(rnd() * 256);
    }
    out.push(c);
  }
  return out;
}
