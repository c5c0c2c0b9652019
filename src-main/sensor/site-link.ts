/**
 * The live console's link to the broker (`serve --nats`): connects with the sensor's auth options,
 * finds the sites to follow (those named, or every `GLASSPANE_*` stream this account may read, looked
 * for again every `discoverMs` so a new site shows up), and follows each with a SiteFollower from the
 * sequence the sink asks for (its stream checked as often).
 *
 * Refused credentials, or a named site this account may not read, are UsageErrors at start. A broker
 * that cannot be reached is not: the console says so, shows what its store holds, and keeps trying.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { nameProblem, streamName } from '../../shared/sensor/subjects';
import { UsageError } from '../cli/output';
import { BrokerUnreachable, connectNats, natsOptions, type NatsFlags } from './nats-connect';
import { listSites, manager, notFound } from './site-reader';
import { SiteFollower, type FollowSink } from './site-follower';

export interface SiteLinkOptions extends NatsFlags {
  site?: string[];
  /** How often the broker is asked again (connect, new sites, streams not there yet), ms; default 10 s. */
  discoverMs?: number;
}

export type SiteSink = FollowSink;

export interface SiteLink {
  /** The sites followed now. */
  readonly sites: string[];
  close(): Promise<void>;
}

type Readable = 'yes' | 'no-stream' | 'refused';

async function readable(nc: NatsConnection, site: string): Promise<Readable> {
  try {
    await (await manager(nc)).streams.info(streamName(site));
    return 'yes';
  } catch (e) {
    return notFound(e) ? 'no-stream' : 'refused';
  }
}

/** Start following; resolves once the first connection attempt and the first look for sites are done. */
export async function followSites(o: SiteLinkOptions, sink: SiteSink): Promise<SiteLink> {
  for (const s of o.site ?? []) {
    const p = nameProblem('site', s);
    if (p !== null) throw new UsageError(p);
  }
  natsOptions(o);
  const named = o.site !== undefined && o.site.length > 0 ? [...new Set(o.site)].sort() : null;
  const followers = new Map<string, SiteFollower>();
  const skipped = new Set<string>();
  const waiting = new Set<string>();
  let nc: NatsConnection | null = null;
  let closed = false;
  let unreachableSaid = false;

  async function connectOnce(): Promise<void> {
    try {
      nc = await connectNats(o);
      if (unreachableSaid) sink.log(`connected to the NATS server at ${o.nats}`);
    } catch (e) {
      if (!(e instanceof BrokerUnreachable)) throw e;
      if (!unreachableSaid) sink.log(`${e.message}: showing what this console last knew, and trying again`);
      unreachableSaid = true;
    }
  }

  async function discover(first: boolean): Promise<void> {
    if (nc === null) await connectOnce();
    const c = nc as NatsConnection | null;
    if (c === null || closed) return;
    let sites: string[];
    try {
      sites = named ?? (await listSites(c));
    } catch (e) {
      if (first) throw e;
      return;
    }
    for (const site of sites) {
      if (followers.has(site) || skipped.has(site)) continue;
      const r = await readable(c, site);
      if (closed) return;
      if (r === 'refused') {
        const why = `cannot read stream ${streamName(site)}: may this account read site ${site}?`;
        if (named !== null && first)
          throw new UsageError(`${why} (name only the sites it may read with --site)`);
        // Listed sites this account may not read are another console's: skipped, named once.
        skipped.add(site);
        sink.log(`warning: ${why}; skipped`);
        continue;
      }
      if (r === 'no-stream') {
        if (!waiting.has(site)) sink.log(`site ${site} has no stream yet: waiting for its first sensor`);
        waiting.add(site);
        continue;
      }
      waiting.delete(site);
      followers.set(site, new SiteFollower(c, site, sink, o.discoverMs));
    }
  }

  try {
    await discover(true);
  } catch (e) {
    await (nc as NatsConnection | null)?.close().catch(() => {});
    throw e;
  }
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    discover(false)
      .catch((e: unknown) => sink.log((e as Error).message))
      .finally(() => (busy = false));
  }, o.discoverMs ?? 10_000);
  timer.unref();
  return {
    get sites() {
      return [...followers.keys()].sort();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.all([...followers.values()].map((f) => f.stop()));
      const c = nc as NatsConnection | null;
      await c?.close().catch(() => {});
    },
  };
}
