/**
 * The two clocked events, on whichever clock the host keeps (capture time when reading files, the
 * wall clock when capturing live): devices gone silent, and the periodic inventory snapshot. Pure:
 * the host says what time it is and which devices it holds.
 */

/** A device as the silence check needs it: its key and last sighting (epoch ms). */
export interface Sighting {
  id: string;
  lastSeen: number;
}

/**
 * Devices not seen for `afterMs`: each is due once, and due again only after it was seen in
 * between (its last sighting moved). Memory: one entry per silent device the host still holds.
 */
export class NotSeenWatch {
  /** Device key -> the last sighting it was raised for. */
  private readonly raised = new Map<string, number>();

  constructor(readonly afterMs: number) {}

  /** A device's key changed (the merged console qualifies ids): its silence stays raised. */
  rename(from: string, to: string): void {
    const r = this.raised.get(from);
    if (r === undefined) return;
    this.raised.delete(from);
    this.raised.set(to, r);
  }

  /** The keys that became overdue since the last call. */
  due(now: number, devices: Iterable<Sighting>): string[] {
    const out: string[] = [];
    const held = new Set<string>();
    for (const d of devices) {
      held.add(d.id);
      const r = this.raised.get(d.id);
      if (r !== undefined) {
        if (d.lastSeen <= r) continue;
        this.raised.delete(d.id);
      }
      if (Number.isFinite(d.lastSeen) && now - d.lastSeen >= this.afterMs) {
        this.raised.set(d.id, d.lastSeen);
        out.push(d.id);
      }
    }
    // Devices the host no longer holds (a new run, a merge) are forgotten.
    if (this.raised.size > held.size)
      for (const id of this.raised.keys()) if (!held.has(id)) this.raised.delete(id);
    return out;
  }
}

/**
 * Boundaries every `periodMs` from the first time it is shown: `due` answers the latest boundary
 * passed since the last call, or null. A clock that jumps several periods (a gap in a capture)
 * gives one boundary, not a burst of identical snapshots.
 */
export class Every {
  private next: number | null = null;

  constructor(readonly periodMs: number) {}

  due(now: number): number | null {
    if (!Number.isFinite(now)) return null;
    if (this.next === null) {
      this.next = now + this.periodMs;
      return null;
    }
    if (now < this.next) return null;
    const passed = Math.floor((now - this.next) / this.periodMs);
    const at = this.next + passed * this.periodMs;
    this.next = at + this.periodMs;
    return at;
  }
}
