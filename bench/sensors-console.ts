/**
 * The console side of the sensor bench (bench/sensors.ts), in a process of its own so that its
 * memory is its own: reads every site's stream with the console's reader (site-reader.ts's
 * readSite, as `glasspane inventory --nats` does), merges every delta into one PartialAccumulator,
 * then follows the streams live (an ordered consumer per site from the next message on, each
 * message checked as readSite checks it) and says on stdout, one JSON line each:
 * - {"caughtUp": ms, "messages": n, "devices": n}: the replay of what was stored, merged;
 * - {"seen": [[deviceKey, epochMs], ...]}: devices whose id starts with the watched prefix, at the
 *   time the merged inventory first held them (the bench's injected ones: it knows when it sent them);
 * - {"done": true, ...} with the console's peak memory, on a "stop" line on stdin.
 * argv: NATS URL, user, password file, watched id prefix, then the sites.
 */
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { PartialAccumulator } from '../shared/inventory/partial';
import { checkSensorMessage } from '../shared/sensor/check';
import type { SensorMessage } from '../shared/sensor/messages';
import { parseSubject, streamName } from '../shared/sensor/subjects';
import { readSite } from '../src-main/sensor/site-reader';

const [url, user, passwordFile, prefix, ...sites] = process.argv.slice(2);
const nc = await connect({ servers: url!, user, pass: readFileSync(passwordFile!, 'utf8').trim() });
const merged = new PartialAccumulator();
let mergedDeltas = 0;
/** Watched devices already reported (a later delta of the same device is not news). */
const reported = new Set<string>();
let seen: [string, number][] = [];

function take(m: SensorMessage): void {
  if (m.kind !== 'delta') return;
  merged.add(m.partial);
  mergedDeltas++;
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
if (seen.length > 0) say({ seen });
say({ done: true, merged: mergedDeltas, devices: merged.size, peakRssKiB: process.resourceUsage().maxRSS });
await nc.close();
process.exit(0);
