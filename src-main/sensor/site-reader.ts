/**
 * The console's side of a site's stream: every message from the first to the last one stored when
 * reading began (an ordered consumer: ephemeral, nothing left behind on the broker), checked as
 * hostile input (a sensor may only speak for its own site and name, as its subject says).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import {
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { parseSubject, siteOfStream, streamName } from '../../shared/sensor/subjects';
import { checkSensorMessage } from '../../shared/sensor/check';
import type { SensorMessage } from '../../shared/sensor/messages';
import { UsageError } from '../cli/output';

/** A site this account may not read (or that has no stream): named, and skipped when sites were listed. */
export class SiteUnreadable extends UsageError {}

export interface SiteRead {
  site: string;
  /** Messages read, and those refused (not JSON, not ours, or speaking for another site or sensor). */
  read: number;
  refused: number;
  lastSeq: number;
}

/** The sites with a stream, for a console not told which (needs the right to list streams). */
export async function listSites(nc: NatsConnection): Promise<string[]> {
  const jsm = await manager(nc);
  const out: string[] = [];
  try {
    for await (const name of jsm.streams.names()) {
      const s = siteOfStream(name);
      if (s !== null) out.push(s);
    }
  } catch (e) {
    throw new UsageError(`cannot list the sites' streams (${(e as Error).message}): name them with --site`);
  }
  return out.sort();
}

export async function manager(nc: NatsConnection): Promise<JetStreamManager> {
  return jetstreamManager(nc, { checkAPI: false, timeout: 10_000 });
}

/** Read a site's stream up to its last message at the start, handing each good message to `take`. */
export async function readSite(
  nc: NatsConnection,
  site: string,
  take: (m: SensorMessage) => void,
): Promise<SiteRead> {
  const jsm = await manager(nc);
  const name = streamName(site);
  let last: number;
  try {
    last = (await jsm.streams.info(name)).state.last_seq;
  } catch (e) {
    if (notFound(e))
      throw new UsageError(`site ${site} has no stream (${name}): no sensor has published for it yet`);
    throw new SiteUnreadable(
      `cannot read stream ${name} (${(e as Error).message}): may this account read site ${site}?`,
    );
  }
  const r: SiteRead = { site, read: 0, refused: 0, lastSeq: last };
  if (last === 0) return r;
  let msgs;
  try {
    const c = await jetstream(nc, { timeout: 10_000 }).consumers.get(name);
    msgs = await c.consume({ max_messages: 512 });
  } catch (e) {
    throw new SiteUnreadable(
      `cannot read stream ${name} (${(e as Error).message}): may this account read site ${site}?`,
    );
  }
  for await (const m of msgs) {
    r.read++;
    const ok = acceptMessage(site, m);
    if (ok === null) r.refused++;
    else take(ok);
    // The last message at the start, or the end of what is there (messages past it were deleted).
    if (m.seq >= last || m.info.pending === 0) break;
  }
  await msgs.close();
  return r;
}

/**
 * A stream message as a sensor message of `site`, or null when it is refused: not JSON, not ours, or
 * speaking for another site or sensor than its subject names.
 */
export function acceptMessage(site: string, m: JsMsg): SensorMessage | null {
  const subject = parseSubject(m.subject);
  if (subject === null || subject.site !== site) return null;
  let body: unknown;
  try {
    body = m.json();
  } catch {
    return null;
  }
  return checkSensorMessage(body, subject);
}

export function notFound(e: unknown): boolean {
  return e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound;
}
