/**
 * A sensor message as a console receives it: hostile until checked. The envelope and the alert and
 * health bodies by schema, the partial by the partial API's own parser; and a sensor speaks only
 * for the site and sensor its subject names (the broker's permissions bind subjects to accounts),
 * so a partial about another site or sensor is refused whole.
 */
import { z } from 'zod';
import { parsePartial } from '../inventory/partial';
import { SENSOR_MESSAGE_VERSION, type SensorMessage } from './messages';
import type { MessageKind } from './subjects';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const text = (n: number) => z.string().max(n);

const Envelope = z.object({
  v: z.literal(SENSOR_MESSAGE_VERSION),
  site: name,
  sensor: name,
  run: name,
  n: count,
});

const Alert = z.strictObject({
  id: text(200),
  at: text(64),
  severity: z.enum(['info', 'low', 'medium', 'high', 'critical']),
  kind: text(100),
  deviceId: text(200).nullable(),
  message: text(2000),
  detail: z.record(text(100), z.union([text(2000), z.number(), z.boolean(), z.null()])),
});

const Health = Envelope.extend({
  kind: z.literal('health'),
  version: text(64),
  mode: z.enum(['live', 'read']),
  clock: text(64),
  startedAt: text(64),
  uptimeS: count,
  interfaces: z.array(text(4096)).max(256),
  packets: count,
  analysed: count,
  drops: count,
  packetRate: count,
  dropRate: z.number().min(0).max(1),
  devices: count,
  queued: count,
  queuedBytes: count,
  bufferDropped: count,
  final: z.boolean().optional(),
});

/** The message, or null when it is malformed or speaks for someone else. */
export function checkSensorMessage(
  body: unknown,
  subject: { site: string; sensor: string; kind: MessageKind },
): SensorMessage | null {
  const env = Envelope.safeParse(body);
  if (!env.success || env.data.site !== subject.site || env.data.sensor !== subject.sensor) return null;
  const b = body as Record<string, unknown>;
  if (b.kind !== subject.kind) return null;
  if (subject.kind === 'health') {
    const h = Health.safeParse(body);
    return h.success ? (h.data as SensorMessage) : null;
  }
  if (subject.kind === 'alert') {
    const a = Alert.safeParse(b.alert);
    return a.success ? { ...env.data, kind: 'alert', alert: a.data } : null;
  }
  const p = parsePartial(b.partial);
  if (!p.ok) return null;
  const own = (s: { site: string; sensor: string }) => s.site === subject.site && s.sensor === subject.sensor;
  if (!p.partial.sources.every(own)) return null;
  // Source ids are `site/sensor[/worker][#run]` (sourceId in the partial API).
  const base = `${subject.site}/${subject.sensor}`;
  const mine = (sid: string) => sid === base || sid.startsWith(`${base}/`) || sid.startsWith(`${base}#`);
  for (const d of p.partial.devices)
    if (d.site !== subject.site || !d.states.every((s) => mine(s.source))) return null;
  for (const e of p.partial.edges) if (!e.states.every((s) => mine(s.source))) return null;
  if (!p.partial.dns.every((d) => d.site === subject.site)) return null;
  // Edits are a person's, made at a console, never a sensor's.
  if (p.partial.edits.length > 0) return null;
  return { ...env.data, kind: 'delta', partial: p.partial };
}
