import type { ForwardEvent, Origin } from '../../shared/forward/events';
import { defaultDataDir } from '../store/paths';
import { ForwardUriError, parseForwardUri, positiveDuration, type Destination } from './destination';
import { Forwarder, type DestinationReport } from './forwarder';

/** How long a command waits for its destinations at the end before it leaves the rest queued. */
export const FORWARD_TIMEOUT_MS = 5000;

/** The forwarding flags every command takes: `--forward URI...`, `--not-seen`, `--snapshot-every`. */
export interface ForwardFlags {
  forward?: string[];
  notSeen?: string;
  snapshotEvery?: string;
}

/**
 * The destinations, each with its silence threshold (its own `not-seen=`, else --not-seen), and the
 * snapshot period. A mistake is a ForwardUriError whose message says what to do.
 */
export function forwardOptions(o: ForwardFlags): {
  dests: Destination[];
  notSeenMs: number[];
  snapshotEveryMs?: number;
} {
  const dests = (o.forward ?? []).map(parseForwardUri);
  for (const [flag, v] of [
    ['--not-seen', o.notSeen],
    ['--snapshot-every', o.snapshotEvery],
  ] as const)
    if (v !== undefined && dests.length === 0)
      throw new ForwardUriError(`${flag} adds events to what --forward sends: add --forward URI`);
  const duration = (flag: string, v: string) =>
    positiveDuration(v, (why) => new ForwardUriError(`${flag} ${why}`));
  if (o.notSeen !== undefined) {
    const ms = duration('--not-seen', o.notSeen);
    for (const d of dests) d.notSeenMs ??= ms;
  }
  return {
    dests,
    notSeenMs: dests.flatMap((d) => (d.notSeenMs !== undefined ? [d.notSeenMs] : [])),
    snapshotEveryMs:
      o.snapshotEvery !== undefined ? duration('--snapshot-every', o.snapshotEvery) : undefined,
  };
}

/** Glasspane's data folder (queues live under its `forward/`): the per-user one unless given. */
export function dataDir(given?: string): string {
  return given !== undefined && given !== '' ? given : defaultDataDir();
}

/** One line per destination on standard error: what arrived, and what waits on disk and why. */
export function describeReport(r: DestinationReport, timeoutMs: number): string {
  const s = r.stats;
  const earlier = r.sentNow > r.queuedNow ? ` (with ${r.sentNow - r.queuedNow} left by an earlier run)` : '';
  const cut = r.truncated > 0 ? `; ${r.truncated} field(s) cut to the destination's size limits` : '';
  const dropped =
    r.droppedNow > 0 ? `; ${r.droppedNow} dropped, oldest first, because the queue was full` : '';
  if (!r.sending)
    return `glasspane: ${r.dest.uri}: queued ${r.queuedNow} event(s); another Glasspane process is sending this queue (${s.queued} waiting)${dropped}\n`;
  if (s.queued === 0 && r.droppedNow === 0)
    return `glasspane: forwarded ${r.sentNow} event(s) to ${r.dest.uri}${earlier}${cut}\n`;
  return (
    `glasspane: warning: ${r.dest.uri}: ${s.queued} event(s) still queued after ${timeoutMs / 1000} s` +
    `${s.lastError !== null ? ' (' + s.lastError + ')' : ''}; ${r.sentNow} delivered${dropped}${cut}.` +
    ` They wait in ${r.dir} and go with the next run (glasspane forward status); the analysis output is complete\n`
  );
}

/**
 * Start sending at once (what earlier runs left goes out while this one analyses); `finish` queues
 * this run's events, waits at most `timeoutMs`, and reports. A receiver that is down costs a warning
 * line, never the command's output or status, and loses nothing: its events wait on disk.
 */
export function startForwarding(
  dests: Destination[],
  origin: Origin,
  dir: string,
  timeoutMs = FORWARD_TIMEOUT_MS,
): { finish(events: Iterable<ForwardEvent>): Promise<void>; abandon(): Promise<void> } | null {
  if (dests.length === 0) return null;
  const f = new Forwarder(dests, origin, dir);
  f.start();
  let done = false;
  return {
    async finish(events) {
      done = true;
      f.send(events);
      for (const r of await f.finish(timeoutMs)) process.stderr.write(describeReport(r, timeoutMs));
    },
    /** The command failed: requests in flight are cut now and what is queued waits for the next run. */
    async abandon() {
      if (done) return;
      done = true;
      await f.finish(0);
    },
  };
}
