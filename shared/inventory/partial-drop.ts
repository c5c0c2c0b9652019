/**
 * A partial without one site: what the merge would hold had that site's sources never spoken. The
 * sensors' console needs it when a site's stream is deleted and created again (its sequences start
 * over): the merge cannot subtract, so the console keeps the rest and reads the new stream from its
 * start. Every device, edge, DNS name and piece of unclaimed hearsay belongs to one site (its key
 * starts with it, and a sensor may speak only for its own site: shared/sensor/check.ts), so each goes
 * or stays whole.
 */
import type { PartialInventory } from './partial-types';

/** The site a device key (`site/…`) names. */
const siteOf = (key: string) => key.slice(0, key.indexOf('/'));

export function withoutSite(p: PartialInventory, site: string): PartialInventory {
  const rest: PartialInventory = {
    version: p.version,
    sources: p.sources.filter((s) => s.site !== site),
    devices: p.devices.filter((d) => d.site !== site),
    edges: p.edges.filter((e) => siteOf(e.a) !== site && siteOf(e.b) !== site),
    dns: p.dns.filter((n) => n.site !== site),
    edits: p.edits.filter((e) => siteOf(e.device) !== site),
  };
  // Absent when none is left, as a merge writes it.
  const hearsay = p.hearsay?.filter((h) => h.site !== site) ?? [];
  if (hearsay.length > 0) rest.hearsay = hearsay;
  return rest;
}
