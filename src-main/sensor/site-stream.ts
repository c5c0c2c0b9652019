/**
 * A site's JetStream stream: limits retention (a work-queue stream would lose what no console had
 * read yet), kept for the outage budget, with a duplicate window so that a replayed message (same
 * Nats-Msg-Id) is stored once. Only settings nats-server 2.9 knows.
 */
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  DiscardPolicy,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  JetStreamApiCodes,
  JetStreamApiError,
  type StreamConfig,
} from '@nats-io/jetstream';
import { siteSubjects, streamName } from '../../shared/sensor/subjects';
import { UsageError } from '../cli/output';

export interface StreamLimits {
  /** How long messages are kept: at least the longest outage a console may have (default 7 days). */
  maxAgeMs: number;
  /** How long the broker remembers message ids (default 2 min, the server's own default). */
  duplicateWindowMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxAgeMs: 7 * 86_400_000, duplicateWindowMs: 120_000 };

export function streamConfig(site: string, l: StreamLimits): Partial<StreamConfig> & { name: string } {
  return {
    name: streamName(site),
    subjects: [siteSubjects(site)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(l.maxAgeMs),
    duplicate_window: nanos(Math.min(l.duplicateWindowMs, l.maxAgeMs)),
  };
}

/**
 * Create the site's stream, or check the one there: returns a warning for settings that differ
 * from ours (the operator's stream wins), or null. An account that may not manage streams (a
 * publish-only sensor) is expected to find it made by the operator: then nothing is checked here,
 * and a missing stream shows at the first publish.
 */
export async function ensureSiteStream(
  nc: NatsConnection,
  site: string,
  l: StreamLimits,
): Promise<string | null> {
  const want = streamConfig(site, l);
  const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 5000 });
  try {
    const info = await jsm.streams.info(want.name);
    const c = info.config;
    const problems: string[] = [];
    if (!c.subjects?.includes(want.subjects![0]!))
      problems.push(`its subjects are ${c.subjects?.join(', ')}`);
    if (c.retention !== RetentionPolicy.Limits) problems.push(`its retention is ${c.retention}, not limits`);
    if (c.max_age !== 0 && c.max_age < want.max_age!)
      problems.push(`it keeps messages ${Math.round(c.max_age / 3.6e12)} h, less than --max-age`);
    return problems.length > 0 ? `stream ${want.name}: ${problems.join('; ')}` : null;
  } catch (e) {
    if (!notFound(e)) return null;
  }
  try {
    await jsm.streams.add(want);
    return null;
  } catch (e) {
    throw new UsageError(
      `stream ${want.name} does not exist and this account may not create it (${(e as Error).message}): create it as docs/sensors.md shows`,
    );
  }
}

function notFound(e: unknown): boolean {
  return e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound;
}
