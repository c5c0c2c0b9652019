/**
 * Splunk HTTP Event Collector event objects (`POST /services/collector/event`): `time` in epoch
 * seconds (milliseconds as the fraction), `host`, `source`, `sourcetype`, optional `index`, and our
 * event as `event`. A batch is these objects concatenated, as Splunk documents.
 */
import type { ForwardEvent, Origin } from './events';

export interface HecOptions {
  source: string;
  sourcetype: string;
  index?: string;
}

export function toHecEvent(e: ForwardEvent, origin: Origin, o: HecOptions): string {
  const obj: Record<string, unknown> = {
    time: Date.parse(e.time) / 1000,
    host: origin.sensor ?? origin.host ?? 'glasspane',
    source: o.source,
    sourcetype: o.sourcetype,
  };
  if (o.index !== undefined) obj.index = o.index;
  obj.event = e;
  return JSON.stringify(obj);
}
