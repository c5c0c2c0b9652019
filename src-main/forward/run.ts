import type { ForwardEvent, Origin } from '../../shared/forward/events';
import type { SyslogDestination } from './destination';
import { Forwarder } from './forwarder';

/** How long a command waits for its destinations at the end before it gives up on them. */
export const FORWARD_TIMEOUT_MS = 5000;

/**
 * Forward a command's events to every destination and say on standard error what arrived; a
 * receiver that is down costs a warning line and a count, never the command's own output or status.
 */
export async function forwardAndReport(
  dests: SyslogDestination[],
  events: ForwardEvent[],
  origin: Origin,
  timeoutMs = FORWARD_TIMEOUT_MS,
): Promise<void> {
  if (dests.length === 0) return;
  const f = new Forwarder(dests, origin);
  f.send(events);
  for (const { dest, stats } of await f.flush(timeoutMs)) {
    const total = stats.sent + stats.failed + stats.dropped;
    if (stats.failed === 0 && stats.dropped === 0)
      process.stderr.write(`glasspane: forwarded ${stats.sent} event(s) to ${dest.uri}\n`);
    else
      process.stderr.write(
        `glasspane: warning: ${dest.uri}: ${stats.failed + stats.dropped} of ${total} event(s) not delivered` +
          ` (${stats.failed} failed, ${stats.dropped} dropped${stats.lastError !== null ? ': ' + stats.lastError : ''});` +
          ' the analysis output is complete\n',
      );
  }
}
