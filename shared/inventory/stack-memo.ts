import type { Packet } from '../decode/packet';

/**
 * The protocol stacks of the last two frames a device (or a share of one) sent, whose names its
 * protocol set holds already: most frames repeat one of them, and a conversation's frames often
 * alternate between two (a poll with its data, then a bare ACK), which one remembered stack missed
 * on a sixth of the benchmark's frames. Cleared whenever the set it stands for is.
 */
export class StackMemo {
  private last: string[] = [];
  private prev: string[] = [];

  /** Whether `p`'s stack is one of the two remembered (the one matched becomes the last). */
  has(p: Packet): boolean {
    return this.match(p) !== 0;
  }

  /**
   * has(), saying which: 1 the last (the stack of the frame before, as every frame's stack ends as the
   * last: matched, swapped in or kept), 2 the one before it (which becomes the last), 0 neither.
   */
  match(p: Packet): number {
    if (same(this.last, p)) return 1;
    if (!same(this.prev, p)) return 0;
    const t = this.last;
    this.last = this.prev;
    this.prev = t;
    return 2;
  }

  /** Remember `p`'s stack, once its names are in the set; the older of the two is forgotten. */
  keep(p: Packet): void {
    const t = this.prev;
    this.prev = this.last;
    this.last = t;
    t.length = p.protoCount;
    for (let i = 0; i < p.protoCount; i++) t[i] = p.protos[i]!;
  }

  clear(): void {
    this.last.length = 0;
    this.prev.length = 0;
  }
}

function same(s: string[], p: Packet): boolean {
  if (s.length !== p.protoCount) return false;
  // The names are the dissectors' constants, so identity compares suffice.
  for (let i = 0; i < s.length; i++) if (s[i] !== p.protos[i]) return false;
  return true;
}
