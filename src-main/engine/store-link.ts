import type { Store } from '../store/store';

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The engine's hold on the host's device store (its owner opens and closes it): read while it is
 * open, written until a write fails (a full disk), after which the engine goes on without recording.
 */
export class StoreLink {
  private writing: boolean;

  constructor(
    readonly store: Store | null,
    readonly log: (message: string) => void,
  ) {
    this.writing = store !== null;
  }

  /** The store while batches, alerts and edits are still written to it. */
  get writable(): Store | null {
    return this.writing ? this.store : null;
  }

  /** A write failed: say so once and stop writing. */
  stopped(e: unknown): void {
    if (!this.writing) return;
    this.writing = false;
    this.log(`the device store stopped recording: ${errorText(e)}`);
  }
}
