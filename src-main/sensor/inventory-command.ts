/**
 * `glasspane inventory --nats URL`: the console on the command line. Reads each site's stream from
 * the start up to its last message when reading began, merges every partial with the partial API
 * (per source and idempotent: replays, resends and order do not matter) and prints the merged
 * inventory, each device with its site and the sensors that saw it.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { inventoryFromPartial, PartialAccumulator } from '../../shared/inventory/partial';
import type { AlertJson } from '../../shared/model/alert';
import type { HealthMessage } from '../../shared/sensor/messages';
import { nameProblem } from '../../shared/sensor/subjects';
import { toCsv, toJson, toTable } from '../cli/format';
import { UsageError, writeOutput } from '../cli/output';
import { heapLine } from '../cli/heap';
import { BrokerUnreachable, connectNats, natsOptions, type NatsFlags } from './nats-connect';
import { listSites, readSite, SiteUnreadable } from './site-reader';
import { loadRules } from '../classify/load';
import { vendorOf } from '../engine/oui';
import { ForwardUriError } from '../forward/destination';
import { dataDir, forwardOptions, startForwarding, type ForwardFlags } from '../forward/run';
import { localOrigin } from '../forward/origin';
import { mergedEvents } from './merged-events';

export interface InventoryOptions extends NatsFlags, ForwardFlags {
  dataDir?: string;
  site?: string[];
  format: 'json' | 'csv' | 'table';
  out?: string;
  evidence?: boolean;
}

export async function inventoryCommand(o: InventoryOptions): Promise<number> {
  if (!['json', 'csv', 'table'].includes(o.format))
    throw new UsageError(`unknown format '${o.format}': use json, csv or table`);
  for (const s of o.site ?? []) {
    const p = nameProblem('site', s);
    if (p !== null) throw new UsageError(p);
  }
  natsOptions(o);
  let fwd;
  try {
    fwd = forwardOptions(o);
  } catch (e) {
    throw e instanceof ForwardUriError ? new UsageError(e.message) : e;
  }
  let nc: NatsConnection;
  try {
    nc = await connectNats(o, { maxReconnectAttempts: 3 });
  } catch (e) {
    if (e instanceof BrokerUnreachable) {
      process.stderr.write(`glasspane: ${e.message}: is nats-server running there?\n`);
      return 1;
    }
    throw e;
  }
  const origin = localOrigin();
  let forwarding;
  try {
    // Sending starts now: what an earlier run left queued goes out while the streams are read.
    forwarding = startForwarding(fwd.dests, origin, dataDir(o.dataDir));
  } catch (e) {
    await nc.close().catch(() => {});
    throw new UsageError(
      `cannot keep the forwarding queues in ${dataDir(o.dataDir)} (${(e as Error).message}): give a writable --data-dir`,
    );
  }
  try {
    const listed = o.site === undefined || o.site.length === 0;
    const sites =
      o.site !== undefined && o.site.length > 0 ? [...new Set(o.site)].sort() : await listSites(nc);
    if (sites.length === 0)
      throw new UsageError(
        'no site has a stream on this broker yet: start a sensor first (glasspane sensor)',
      );
    // Each delta joins at its own cost, not at the cost of everything merged so far.
    const merged = new PartialAccumulator();
    const alerts: { site: string; alert: AlertJson }[] = [];
    const health = new Map<string, HealthMessage>();
    const lines: string[] = [];
    for (const site of sites) {
      let r;
      try {
        r = await readSite(nc, site, (m) => {
          if (m.kind === 'delta') merged.add(m.partial);
          else if (m.kind === 'alert') alerts.push({ site: m.site, alert: m.alert });
          else health.set(`${m.site}/${m.sensor}`, m);
        });
      } catch (e) {
        // Sites found by listing that this account may not read are another console's: skipped, named.
        if (!listed || !(e instanceof SiteUnreadable)) throw e;
        process.stderr.write(`glasspane: warning: ${e.message}; skipped\n`);
        continue;
      }
      lines.push(
        `${site}: ${r.read} message(s)${r.refused > 0 ? `, ${r.refused} refused (malformed, or not the sending sensor's own)` : ''}`,
      );
    }
    // Classified here, on the merged facts, with the same rules and OUI registry as an analysis.
    const inv = inventoryFromPartial(merged.partial(), {
      rules: loadRules(),
      vendorOf,
      evidence: o.evidence === true,
    });
    const text = o.format === 'json' ? toJson(inv) : o.format === 'csv' ? toCsv(inv) : toTable(inv);
    await writeOutput(text, o.out);
    const sensors = [...health.keys()].sort();
    process.stderr.write(
      `glasspane: ${inv.devices.length} devices from ${lines.join('; ')}; ${sensors.length} sensor(s) reported health, ${alerts.length} alert(s); ${heapLine()}\n`,
    );
    await nc.close().catch(() => {});
    // After the output: a slow or dead receiver never costs the inventory.
    await forwarding?.finish(mergedEvents(inv, alerts, fwd.notSeenMs, origin));
    return 0;
  } catch (e) {
    await forwarding?.abandon();
    throw e;
  } finally {
    await nc.close().catch(() => {});
  }
}
