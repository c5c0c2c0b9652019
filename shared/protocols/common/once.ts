/**
 * Per-flow "already said" memory: roles and attributes are stated once per flow, not per packet.
 * Bounded: past `max` keys nothing new is remembered (and nothing more is emitted for that flow).
 */
export class OnceSet {
  private readonly seen = new Set<string | number>();
  constructor(private readonly max = 64) {}

  /** True the first time `key` is offered (while there is room). Numbers spare a string per packet. */
  first(key: string | number): boolean {
    if (this.seen.has(key) || this.seen.size >= this.max) return false;
    this.seen.add(key);
    return true;
  }
}
