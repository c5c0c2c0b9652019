import { isoTime } from '../../shared/util/time';
import type { Statements } from './statements';
import type { Work } from './work';

/**
 * Which devices are online: seen within the offline threshold of capture time. Devices unseen for
 * longer go offline with a timeline entry, checked at most once per second of capture time.
 */
export class OfflineScan {
  /** Online devices and the capture time (ms) they were last seen. */
  private readonly online = new Map<string, number>();
  private lastScan = -Infinity;

  constructor(
    private readonly q: Statements,
    private readonly offlineAfter: number,
  ) {}

  has(id: string): boolean {
    return this.online.has(id);
  }

  /** A device seen at `lastSeen` (ms). */
  seen(id: string, lastSeen: number): void {
    this.online.set(id, lastSeen);
  }

  /** A device whose row went. */
  forget(id: string): void {
    this.online.delete(id);
  }

  /** Devices unseen for the threshold at capture time `now` go offline; `canon` names whom the change shows on. */
  scan(w: Work, now: number, canon: (id: string) => string): void {
    if (now - this.lastScan < 1000) return;
    this.lastScan = now;
    const limit = now - this.offlineAfter;
    for (const [id, last] of this.online) {
      if (last > limit) continue;
      this.online.delete(id);
      this.q.setOffline.run(id);
      const at = isoTime(last + this.offlineAfter);
      w.timeline.push({
        deviceId: id,
        at,
        field: 'status',
        old: 'online',
        new: 'offline',
        source: 'capture',
      });
      w.touched.add(canon(id));
    }
  }
}
