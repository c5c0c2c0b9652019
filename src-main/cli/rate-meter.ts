/**
 * The peak packet rate of a live capture: frames counted in 1-second windows of capture time (the
 * kernel's timestamps, so a burst the analysis read late still counts when it happened), and the
 * fullest window kept. Constant memory whatever the rate.
 */
export class RateMeter {
  private window = Number.NaN;
  private count = 0;
  private best = 0;

  /** One frame stamped `tsMs` (ms since the epoch). */
  add(tsMs: number): void {
    const w = Math.floor(tsMs / 1000);
    if (w !== this.window) {
      // Frames of several interfaces can arrive a little out of order: a late one joins the current window.
      if (w > this.window || Number.isNaN(this.window)) {
        this.window = w;
        this.count = 0;
      }
    }
    this.count++;
    if (this.count > this.best) this.best = this.count;
  }

  /** Packets per second in the fullest 1-second window so far. */
  get peak(): number {
    return this.best;
  }
}
