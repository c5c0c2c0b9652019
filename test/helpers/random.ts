/** The tests' one seeded random generator: the demo's mulberry32, so a failure replays from its seed. */
import { Rng } from '../../src-main/demo/rng';

export { Rng };

/** Floats in [0, 1) from `seed`. */
export function prng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** `n` bytes from `seed`. */
export function randomBytes(seed: number, n: number): Uint8Array {
  return new Rng(seed).bytes(n);
}
