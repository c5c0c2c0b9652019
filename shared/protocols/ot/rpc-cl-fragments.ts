import type { ByteWindow } from '../../decode/window';
import { budgetedBuffer } from '../it/stream';

/**
 * Connectionless DCE/RPC fragments (C706 12.5.3: the `frag` and `lastfrag` flags of flags1, the
 * header's fragnum and body length) put back together per call, within fixed bounds. A call is one
 * activity UUID and sequence number in one direction (request or response), as Wireshark keys its
 * CL reassembly. Fragments may come out of order or twice; a call is whole when every fragment from
 * 0 to the one flagged last is present. A call that never completes costs only its bounded share of
 * memory until it ages out or newer calls push it out; what is missing is never guessed at.
 */

/** Fragments per call at most (fragnum 0 .. MAX_FRAGMENTS - 1); a larger fragnum drops the call. */
export const MAX_FRAGMENTS = 64;
/** Body bytes per call at most (a Connect with hundreds of submodules is a few KiB). */
export const MAX_CALL_BYTES = 64 * 1024;
/** Calls collected at once per flow; the oldest gives way. */
export const MAX_PENDING_CALLS = 4;
/** A call whose first fragment is older than this (capture time) is dropped. */
export const PENDING_MS = 30_000;

interface Call {
  key: string;
  /** Capture time of its first fragment. */
  since: number;
  frags: Map<number, Uint8Array>;
  bytes: number;
  /** The fragnum flagged last, or -1 until it is seen. */
  last: number;
}

export class ClFragments {
  private calls: Call[] = [];

  /** Calls being collected (for tests). */
  get pending(): number {
    return this.calls.length;
  }

  /**
   * Add fragment `fragNum` of call `key`: `n` body bytes at `o` of `w` (copied). Returns the whole
   * body once every fragment is in, else null (also when the fragment breaks a bound or contradicts
   * the call's others: then the call is dropped).
   */
  add(
    key: string,
    fragNum: number,
    last: boolean,
    w: ByteWindow,
    o: number,
    n: number,
    ts: number,
  ): Uint8Array | null {
    this.calls = this.calls.filter((c) => ts - c.since <= PENDING_MS && c.since - ts <= PENDING_MS);
    let c = this.calls.find((x) => x.key === key);
    if (fragNum >= MAX_FRAGMENTS || n > MAX_CALL_BYTES || !w.has(o, n)) return this.drop(c);
    if (c === undefined) {
      if (this.calls.length >= MAX_PENDING_CALLS) this.calls.shift();
      c = { key, since: ts, frags: new Map(), bytes: 0, last: -1 };
      this.calls.push(c);
    }
    if (c.frags.has(fragNum)) return null; // a duplicate: the first copy stands
    if (last) {
      if (c.last >= 0 || [...c.frags.keys()].some((k) => k > fragNum)) return this.drop(c);
      c.last = fragNum;
    } else if (c.last >= 0 && fragNum > c.last) return this.drop(c);
    if (c.bytes + n > MAX_CALL_BYTES) return this.drop(c);
    const b = budgetedBuffer(n);
    if (b === null) return this.drop(c);
    b.set(w.bytes(o, n));
    c.frags.set(fragNum, b);
    c.bytes += n;
    if (c.last < 0 || c.frags.size !== c.last + 1) return null;
    this.drop(c);
    const body = budgetedBuffer(c.bytes);
    if (body === null) return null;
    for (let i = 0, at = 0; i <= c.last; i++) {
      const f = c.frags.get(i)!;
      body.set(f, at);
      at += f.length;
    }
    return body;
  }

  private drop(c: Call | undefined): null {
    if (c !== undefined) this.calls = this.calls.filter((x) => x !== c);
    return null;
  }
}
