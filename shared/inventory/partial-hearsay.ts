/**
 * Hearsay in a merge: facts one host stated about an address (a DHCP server naming the router) that
 * no device of the source that heard them held. One analysis attaches such facts to the device that
 * takes the address, when it takes it; the merge attaches them to the device that holds the address
 * in the merged inventory, in its facts where one analysis would have put them.
 */
import { cmp, factKeyOnce } from './partial-merge';
import { heardAfterAccounting, interleave, siteSensorOf, type Combined } from './partial-combine';
import type { PartialFact, PartialHearsay } from './partial-types';
import { PARTIAL_LIMITS } from './partial-limits';
import type { SiteDevices } from './partial-site-devices';

type Entry = { f: PartialFact; sources: Set<string>; at: number };

/** The device holding an address: its address device, else the MAC device that took it last. */
function holders(
  all: Map<string, Combined>,
  wanted: Set<string>,
): Map<string, { c: Combined; at: number; frame: number }> {
  const out = new Map<string, { c: Combined; at: number; frame: number }>();
  for (const c of all.values()) {
    if (c.p.kind !== 'mac') continue;
    for (const u of [...c.ip4.values(), ...(c.ip6?.values() ?? [])]) {
      const k = `${c.p.site}\n${u.ip}`;
      if (!wanted.has(k)) continue;
      const at = u.first ?? -Infinity;
      const had = out.get(k);
      if (had !== undefined && (had.at > at || (had.at === at && cmp(had.c.p.key, c.p.key) > 0))) continue;
      out.set(k, { c, at, frame: u.frame ?? -Infinity });
    }
  }
  for (const k of wanted) {
    const [site, ip] = k.split('\n') as [string, string];
    const c = all.get(`${site}/ip:${ip}`);
    if (c === undefined || c.p.kind !== 'ip') continue;
    // Made then, or held before by the router it sits behind (decideRouters keeps that frame).
    const took = Math.min(
      Number.isFinite(c.born) ? Math.floor(c.born / 4096) : Infinity,
      (ip.includes(':') ? c.ip6 : c.ip4)?.get(ip)?.frame ?? Infinity,
    );
    out.set(k, { c, at: c.first ?? -Infinity, frame: Number.isFinite(took) ? took : -Infinity });
  }
  return out;
}

/**
 * Attach unclaimed hearsay to the devices holding its addresses. `byFrame`: the sources are workers
 * of one capture (frames numbered alike), so a fact goes where the frame the device took the address
 * in (or the frame it was heard in, if later) puts it; otherwise by time.
 */
export function claimHearsay(
  all: SiteDevices,
  hearsay: readonly PartialHearsay[] | undefined,
  byFrame: boolean,
): void {
  const waiting = (hearsay ?? []).filter((h) => h.states.some((s) => !s.claimed && s.facts.length > 0));
  if (waiting.length === 0) return;
  const wanted = new Set(waiting.map((h) => `${h.site}\n${h.ip}`));
  // The MACs that may hold these addresses, combined: holders reads every MAC combined so far.
  all.holding(wanted);
  const held = holders(all, wanted);
  const byDevice = new Map<Combined, Entry[]>();
  for (const h of waiting) {
    const holder = held.get(`${h.site}\n${h.ip}`);
    if (holder === undefined) continue;
    const { c } = holder;
    const took = byFrame ? holder.frame : holder.at;
    let list = byDevice.get(c);
    if (list === undefined) byDevice.set(c, (list = []));
    for (const s of h.states) {
      if (s.claimed) continue;
      for (const x of s.protocols) c.protocols.add(x);
      for (const f of s.facts)
        list.push({
          f: { ...f },
          sources: new Set([siteSensorOf(s.source)]),
          at: Math.max(took, byFrame ? f.firstFrame : f.first),
        });
    }
  }
  for (const [c, list] of byDevice) {
    list.sort((x, y) => x.at - y.at);
    const had: Entry[] = c.facts.map((x) => ({
      ...x,
      at: byFrame ? (x.at ?? x.f.firstFrame + (heardAfterAccounting(x.f) ? 0.5 : 0)) : x.f.first,
    }));
    // Ties go to the facts the device has: one analysis hears a frame's observations as it decodes
    // it, and the device takes the address (and the hearsay) when the frame is accounted after; but
    // a SYN's signature is observed after that (Analyzer.frame), so its facts go after the hearsay.
    const facts = new Map<string, Entry>();
    for (const e of interleave([had, list], (x) => x.at)) {
      const k = factKeyOnce(e.f.obs);
      const was = facts.get(k);
      if (was === undefined) {
        if (facts.size >= PARTIAL_LIMITS.factsPerDevice) {
          c.factsDropped++;
          continue;
        }
        facts.set(k, e);
        continue;
      }
      for (const x of e.sources) was.sources.add(x);
      was.f = {
        ...was.f,
        count: was.f.count + e.f.count,
        last: Math.max(was.f.last, e.f.last),
        first: Math.min(was.f.first, e.f.first),
      };
    }
    c.facts = [...facts.values()].map(({ f, sources }) => ({ f, sources }));
  }
}
