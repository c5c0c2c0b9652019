import type { AlertJson } from '../../shared/model/alert';
import type { DeviceJson, EdgeJson } from '../../shared/model/inventory';
import type { StoredDevice, TimelineEntry } from './types';

/** What one commit changed, as the hosts should show it (merged and edited views). */
export interface CommitResult {
  seq: number;
  upserts: StoredDevice[];
  /** Ids no longer shown on their own (merged into another). */
  removed: string[];
  edges: EdgeJson[];
  edgesRemoved: { a: string; b: string }[];
  timeline: TimelineEntry[];
  /** Alerts stored by this commit (ones already stored are not repeated). */
  alerts: AlertJson[];
}

/** A commit in the making: everything one transaction touches. */
export class Work {
  readonly touched = new Set<string>();
  readonly removed = new Set<string>();
  readonly edges: EdgeJson[] = [];
  /** Pairs (pairKey) whose shown edge must be summed again from the merged ids' rows (or is gone). */
  readonly pairs = new Set<string>();
  /** Devices whose every shown edge must be summed again (a merge changed who they are). */
  readonly groups = new Set<string>();
  readonly edgesRemoved: { a: string; b: string }[] = [];
  readonly timeline: TimelineEntry[] = [];
  readonly alerts: AlertJson[] = [];
  /** Devices as just written (saves reading them back for the views). */
  readonly written = new Map<string, DeviceJson>();
  constructor(readonly seq: number) {}
}
