import { severityRank } from '../../shared/alerts/severity';
import type { ForwardEvent, Origin } from '../../shared/forward/events';
import { toCef } from '../../shared/forward/cef';
import { toLeef } from '../../shared/forward/leef';
import { toJsonBody, toSyslog } from '../../shared/forward/syslog5424';
import type { SyslogDestination } from './destination';
import { SyslogSender, type DeliveryStats, type SenderOptions } from './syslog-sender';

/** Every `--forward` destination of a run: each filters, formats and queues on its own. */
export class Forwarder {
  private readonly senders: SyslogSender[];

  constructor(
    dests: SyslogDestination[],
    private readonly origin: Origin,
    o: SenderOptions = {},
  ) {
    this.senders = dests.map((d) => new SyslogSender(d, o));
  }

  send(events: Iterable<ForwardEvent>): void {
    for (const e of events)
      for (const s of this.senders) {
        const d = s.dest;
        if (!d.kinds.has(e.kind) || severityRank(e.severity) < severityRank(d.minSeverity)) continue;
        const body =
          d.format === 'cef'
            ? toCef(e, this.origin)
            : d.format === 'leef'
              ? toLeef(e, this.origin)
              : toJsonBody(e);
        s.push(toSyslog(e, this.origin, body, { procId: process.pid }));
      }
  }

  /** Deliver what is queued, all destinations at once, each until the deadline. */
  async flush(timeoutMs: number): Promise<{ dest: SyslogDestination; stats: DeliveryStats }[]> {
    const deadline = Date.now() + timeoutMs;
    return Promise.all(this.senders.map(async (s) => ({ dest: s.dest, stats: await s.flush(deadline) })));
  }
}
