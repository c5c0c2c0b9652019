/**
 * The console side of the sensor bench (bench/sensors.ts), in a process of its own so that its
 * memory is its own: reads every site's stream with the console's reader (site-reader.ts's
 * readSite, as `glasspane inventory --nats` does), merges every delta into one PartialAccumulator,
 * then follows the streams live (an ordered consumer per site from the next message on, each
 * message checked as readSite checks it) and says on stdout, one JSON line each:
 * - {"caughtUp": ms, "messages": n, "devices": n}: the replay of what was stored, merged;
 * - with "rebuild", {"rebuilt": ms}: the first (full) rebuild of the inventory from it;
 * - {"seen": [[deviceKey, epochMs], ...]}: devices whose id starts with the watched prefix, at the
 *   time the merged inventory first held them (the bench's injected ones: it knows when it sent them);
 * - {"done": true, ...} with the console's peak memory, on a "stop" line on stdin; with "rebuild",
 *   also its rebuilds of the live phase ({"rebuilds": {count, full, routed, ms, maxMs, why}}).
 * argv: NATS URL, user, password file, watched id prefix, "rebuild" (rebuild the inventory from the
 * merge as `serve --nats` does: IncrementalInventory, at most every 200 ms when something changed,
 * each device and edge it says it rebuilt written out as the console compares them)
 * or "merge" (merge only, as `glasspane inventory --nats` does), then the sites.
 */
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { PartialAccumulator } from '../shared/inventory/partial';
import { IncrementalInventory } from '../shared/inventory/partial-incremental';
import { loadRules } from '../src-main/classify/load';
import { vendorOf } from '../src-main/engine/oui';
import { checkSensorMessage } from '../shared/sensor/check';
import type { SensorMessage } from '../shared/sensor/messages';
import { parseSubject, streamName } from '../shared/sensor/subjects';
import { readSite } from '../src-main/sensor/site-reader';

const [url, user, passwordFile, prefix, mode, ...sites] = process.argv.slice(2);
const nc = await connect({ servers: url!, user, pass: readFileSync(passwordFile!, 'utf8').trim() });
const merged = new PartialAccumulator();
let mergedDeltas = 0;
/** A delta was merged since the last rebuild. */
let changed = false;
/** Watched devices already reported (a later delta of the same device is not news). */
const reported = new Set<string>();
let seen: [string, number][] = [];

function take(m: SensorMessage): void {
  if (m.kind !== 'delta') return;
  merged.add(m.partial);
  mergedDeltas++;
  changed = true;
  let now = 0;
  for (const d of m.partial.devices)
    if (d.id.startsWith(prefix!) && !reported.has(d.key)) {
      reported.add(d.key);
      now ||= performance.timeOrigin + performance.now();
      seen.push([d.key, now]);
    }
}

const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

const t0 = performance.now();
const last = new Map<string, number>();
for (const site of sites) last.set(site, (await readSite(nc, site, take)).lastSeq);
say({ caughtUp: performance.now() - t0, messages: mergedDeltas, devices: merged.size });

// With "rebuild": the inventory as `serve --nats` keeps it (its first, full rebuild before the live phase).
const inc =
  mode === 'rebuild'
    ? new IncrementalInventory(merged, { rules: loadRules(), vendorOf, identity: false })
    : null;
if (inc !== null) {
  const t = performance.now();
  inc.rebuild();
  say({ rebuilt: performance.now() - t });
}
// Read loosely: the bench also runs against an IncrementalInventory without these counters.
const counts = () => {
  const c = inc as unknown as { routed?: number; fullBecause?: Record<string, number> } | null;
  return { routed: c?.routed ?? 0, why: { ...c?.fullBecause } };
};
const [full0, partial0, before] = [inc?.full ?? 0, inc?.partial ?? 0, counts()];
let rebuildMs = 0;
let maxMs = 0;
changed = false;
const rebuilding =
  inc === null
    ? null
    : setInterval(() => {
        if (!changed) return;
        changed = false;
        const t = performance.now();
        const ch = inc.rebuild();
        for (const x of [...ch.devices, ...ch.edges]) JSON.stringify(x);
        const ms = performance.now() - t;
        rebuildMs += ms;
        maxMs = Math.max(maxMs, ms);
      }, 200);

// Live from here: what a console showing the grid does between replays.
const js = jetstream(nc);
for (const site of sites) {
  const c = await js.consumers.get(streamName(site), {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: last.get(site)! + 1,
  });
  const msgs = await c.consume();
  void (async () => {
    for await (const m of msgs) {
      const subject = parseSubject(m.subject);
      let body: unknown = null;
      try {
        body = m.json();
      } catch {
        // Not JSON: not merged, as readSite refuses it.
      }
      const ok = subject !== null && subject.site === site ? checkSensorMessage(body, subject) : null;
      if (ok !== null) take(ok);
    }
  })();
}
// Reported in batches: one line per message merged would cost the console more than the merge.
const flushSeen = setInterval(() => {
  if (seen.length === 0) return;
  say({ seen });
  seen = [];
}, 50);

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'stop') break;
}
clearInterval(flushSeen);
if (rebuilding !== null) clearInterval(rebuilding);
if (seen.length > 0) say({ seen });
const after = counts();
const why = Object.entries(after.why)
  .map(([k, n]) => [k, n - (before.why[k] ?? 0)] as const)
  .filter(([, n]) => n > 0)
  .map(([k, n]) => `${k} ${n}`)
  .join(', ');
say({
  done: true,
  merged: mergedDeltas,
  devices: merged.size,
  peakRssKiB: process.resourceUsage().maxRSS,
  ...(inc === null
    ? {}
    : {
        rebuilds: {
          count: inc.full - full0 + inc.partial - partial0,
          full: inc.full - full0,
          routed: after.routed - before.routed,
          ms: rebuildMs,
          maxMs,
          why: why === '' ? '-' : why,
        },
      }),
});
await nc.close();
process.exit(0);
