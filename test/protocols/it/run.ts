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
