/**
 * Keys kept in a sorted order that only pays for what changed: additions and removals are noted in
 * O(1), and the order is brought up to date only when someone asks for it, by one pass that drops
 * the removed keys and merges in the added ones (sorted among themselves). A binary insertion per
 * key would move the whole array each time (a few hundred keys into a million is hundreds of
 * millions of moves); a full sort would compare N log N times. Whoever asks for the order walks
 * all N keys anyway, so the merge adds one pass to a walk already paid.
 */
export class SortedKeys {
  private order: string[] = [];
  /** Keys added since the order was last brought up to date (not in it), and keys removed (still in it). */
  private readonly added = new Set<string>();
  private readonly gone = new Set<string>();

  /** `compare` must order every key present (it may look the keys up: only present ones are compared). */
  constructor(private readonly compare: (x: string, y: string) => number) {}

  /** Start again from keys already in order. */
  reset(sorted: string[]): void {
    this.order = sorted;
    this.added.clear();
    this.gone.clear();
  }

  /** A key that was not present is now. */
  add(key: string): void {
    if (!this.gone.delete(key)) this.added.add(key);
  }

  /** A key that was present is not any more. */
  remove(key: string): void {
    if (!this.added.delete(key)) this.gone.add(key);
  }

  /** Whether keys came or went since the order was last asked for. */
  get changed(): boolean {
    return this.added.size > 0 || this.gone.size > 0;
  }

  /** Every present key, in order (the array is this object's own: do not change it). */
  sorted(): readonly string[] {
    if (!this.changed) return this.order;
    const add = [...this.added].sort(this.compare);
    const out: string[] = [];
    let j = 0;
    for (const k of this.order) {
      if (this.gone.has(k)) continue;
      while (j < add.length && this.compare(add[j]!, k) < 0) out.push(add[j++]!);
      out.push(k);
    }
    while (j < add.length) out.push(add[j++]!);
    this.reset(out);
    return out;
  }
}
