/**
 * A partial inventory from the network is hostile input: it is checked here (shape, sizes, string
 * lengths, keys that agree with what they name) before it is merged. parsePartial never throws; it
 * says why it rejects, and what it accepts comes back in canonical form (sorted, joined, bounded).
 */
import { z } from 'zod';
import { PARTIAL_LIMITS as L } from './partial-limits';
import { PARTIAL_VERSION, type PartialInventory } from './partial-types';
import { mergePartials } from './partial-merge';
import { ipv4FromString } from '../util/addr';
import { IDENTITY_ATTRIBUTES } from '../model/observation';

/** IPv4 dotted quad, or IPv6 text (hex groups and colons, an IPv4 tail allowed). */
export function isAddress(s: string): boolean {
  return ipv4FromString(s) >= 0 || (s.length <= 45 && s.includes(':') && /^[0-9a-f:.]+$/.test(s));
}
const address = z.string().max(64).refine(isAddress, 'not an IPv4 or IPv6 address');

/** Names start with a letter or digit ('..' is no name), then up to 63 of A-Z a-z 0-9 . _ -. */
const NAME = '[A-Za-z0-9][A-Za-z0-9._-]{0,63}';
const name = z
  .string()
  .regex(new RegExp(`^${NAME}$`), 'a name is a letter or digit, then up to 63 of A-Z a-z 0-9 . _ -');
const key = z.string().min(1).max(L.key);
/** Protocol names as dissectors write them ('s7comm', 'pn_dcp'): they become names in the output. */
const proto = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/, 'not a protocol name');
const text = z.string().max(L.value);
const short = z.string().max(L.name * 4);
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const time = z.number().finite();
const port = z.number().int().min(0).max(65535);
/** `site/sensor[/worker][#run]`, as sourceId() writes it. */
const source = z
  .string()
  .regex(new RegExp(`^${NAME}(/${NAME}){1,2}(#${NAME})?$`), 'a source is site/sensor[/worker][#run]');

const ref = z.object({ mac: short.nullable(), ip: short.nullable() });
const base = { device: ref, protocol: proto, field: text, frame: count, ts: time };

const observation = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('hostname'), name: text }),
  z.object({ ...base, kind: z.literal('name-query'), name: text }),
  z.object({ ...base, kind: z.literal('address'), ip: short, name: text.nullable() }),
  z.object({ ...base, kind: z.literal('identity'), attr: z.enum(IDENTITY_ATTRIBUTES), value: text }),
  z.object({ ...base, kind: z.literal('software'), product: text, version: text.nullable(), raw: text }),
  z.object({ ...base, kind: z.literal('fingerprint'), scheme: short, value: text }),
  z.object({ ...base, kind: z.literal('role'), role: short, peer: ref.nullable() }),
  z.object({
    ...base,
    kind: z.literal('service'),
    transport: z.enum(['tcp', 'udp', 'l2']),
    port: count,
    name: text,
  }),
  z.object({ ...base, kind: z.literal('attribute'), key: text, value: text }),
  z.object({
    ...base,
    kind: z.literal('neighbor'),
    chassisId: text,
    portId: text.nullable(),
    portDescription: text.nullable(),
    vlan: count.nullable(),
  }),
  z.object({
    ...base,
    kind: z.literal('event'),
    event: short,
    facts: z
      .record(short, z.union([text, z.number().finite()]))
      .refine((r) => Object.keys(r).length <= 64, 'too many event facts'),
    peer: ref.nullable(),
  }),
  z.object({ ...base, kind: z.literal('finding'), finding: short, detail: text }),
]);

/**
 * The fields of each kind of observation, in the order parsePartial gives them (its objects are
 * made in this order: partial-intern.ts makes them again as literals when they are).
 */
export const OBSERVATION_FIELDS: ReadonlyMap<string, readonly string[]> = new Map(
  observation.options.map((o) => [o.shape.kind.value, Object.keys(o.shape)]),
);

const ipUse = z.object({
  ip: address,
  seq: count,
  packets: count,
  bytes: count,
  first: time.nullable(),
  last: time.nullable(),
  arp: z.boolean(),
  served: z.array(port).max(L.servedPerIp),
  frame: count.optional(),
});

const fact = z.object({
  seq: count,
  firstFrame: count,
  first: time,
  last: time,
  count,
  obs: observation,
  via: address.optional(),
});

const deviceState = z.object({
  source,
  first: time.nullable(),
  last: time.nullable(),
  packetsSent: count,
  packetsReceived: count,
  bytesSent: count,
  bytesReceived: count,
  routedPackets: count.optional(),
  routedBytes: count.optional(),
  routedReceivedPackets: count.optional(),
  routedReceivedBytes: count.optional(),
  received: z
    .array(z.object({ ip: address, packets: count, bytes: count, first: time, last: time }))
    .max(L.ipsPerDevice)
    .optional(),
  router: z.boolean(),
  routed: z.boolean(),
  via: z.array(key).max(L.viaPerDevice),
  ips: z.array(ipUse).max(L.ipsPerDevice),
  protocols: z.array(proto).max(L.protocolsPerDevice),
  viaProtocols: z
    .array(z.object({ ip: address, protocols: z.array(proto).max(L.protocolsPerDevice) }))
    .max(L.ipsPerDevice * 2)
    .optional(),
  vlans: z.array(z.number().int().min(0).max(4095)).max(L.vlansPerDevice),
  servedTcp: z.array(port).max(L.servedPerDevice),
  routerServedTcp: z.array(port).max(L.servedPerDevice).optional(),
  facts: z.array(fact).max(L.factEntriesPerDevice),
  factsDropped: count,
  born: count.optional(),
});

const device = z
  .object({
    key,
    kind: z.enum(['mac', 'ip', 'aggregate']),
    site: name,
    l2domain: name.nullable(),
    id: z.string().min(1).max(L.key),
    states: z.array(deviceState).min(1).max(L.statesPerEntry),
  })
  .refine(
    (d) => keyAgrees(d),
    'a device key must be site/l2domain/mac:…, site/ip:… or site/sensor/<aggregate>',
  );

function keyAgrees(d: {
  key: string;
  kind: string;
  site: string;
  l2domain: string | null;
  id: string;
}): boolean {
  if (d.kind === 'mac')
    return (
      d.l2domain !== null &&
      /^mac:[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(d.id) &&
      d.key === `${d.site}/${d.l2domain}/${d.id}`
    );
  if (d.kind === 'ip')
    return (
      d.l2domain === null &&
      isAddress(d.id.slice(3)) &&
      d.id.startsWith('ip:') &&
      d.key === `${d.site}/${d.id}`
    );
  if (d.l2domain !== null || !d.key.startsWith(d.site + '/') || !d.key.endsWith('/' + d.id)) return false;
  const sensor = d.key.slice(d.site.length + 1, d.key.length - d.id.length - 1);
  return name.safeParse(sensor).success;
}

/** What an edge carried, each way, and when, with the protocols named (EdgeTraffic). */
const traffic = {
  packetsAtoB: count,
  packetsBtoA: count,
  bytesAtoB: count,
  bytesBtoA: count,
  first: time,
  last: time,
  protocols: z.array(proto).max(L.protocolsPerDevice),
};

const edgeState = z.object({
  source,
  ...traffic,
  born: count.optional(),
  parts: z
    .array(z.object({ viaA: address.nullable(), viaB: address.nullable(), ...traffic }))
    .max(L.partsPerEdge)
    .optional(),
});

const edge = z
  .object({ a: key, b: key, states: z.array(edgeState).min(1).max(L.statesPerEntry) })
  .refine((e) => e.a < e.b, 'an edge names its devices in order (a < b)');

const hearsay = z.object({
  site: name,
  ip: address,
  states: z
    .array(
      z.object({
        source,
        claimed: z.boolean(),
        facts: z.array(fact).max(L.hearsayFacts),
        protocols: z.array(proto).max(L.hearsayFacts),
      }),
    )
    .min(1)
    .max(L.statesPerEntry),
});

const file = z.object({
  path: text,
  format: short,
  frames: count,
  warnings: z.array(text).max(L.warnings),
});

const stats = z.object({
  packets: count,
  bytes: count,
  malformed: count,
  snapTruncated: count,
  laterFragments: count,
  unknownLinkType: count,
  unknownLinkTypes: z
    .record(short, count)
    .refine((r) => Object.keys(r).length <= 256, 'too many link types')
    .optional(),
  dissectorErrors: count,
  repeats: count,
  retransmissions: count,
  badTimestamps: count,
  malformedBy: z.record(short, count).refine((r) => Object.keys(r).length <= 256, 'too many layers'),
  observations: count,
  first: time.nullable(),
  last: time.nullable(),
  files: z.array(file).max(L.files),
  limits: z
    .object({
      devicesAggregated: count,
      addressesAggregated: count,
      aggregates: count,
      edgesEvicted: count,
      factsDropped: count,
      tableEntriesDropped: count,
      floods: z.array(text).max(256),
    })
    .optional(),
});

const sourceInfo = z.object({
  source,
  site: name,
  sensor: name,
  worker: name.nullable(),
  run: name.nullable(),
  stats,
});

const partial = z.object({
  version: z.literal(PARTIAL_VERSION),
  sources: z.array(sourceInfo).max(L.sources),
  devices: z.array(device).max(L.devices),
  edges: z.array(edge).max(L.edges),
  dns: z
    .array(
      z
        .object({
          site: name,
          ip: address,
          names: z.array(text).max(L.namesPerAddress),
          born: z.array(count).max(L.namesPerAddress).optional(),
        })
        .refine((d) => d.born === undefined || d.born.length === d.names.length, 'one born per name'),
    )
    .max(L.dnsAddresses),
  edits: z
    .array(
      z.object({
        device: key,
        field: z.enum(['name', 'type', 'vendor', 'notes']),
        value: text.nullable(),
        time,
        author: short,
      }),
    )
    .max(L.edits),
  hearsay: z.array(hearsay).max(L.hearsayAddresses).optional(),
});

/**
 * The version of what parsePartial accepts: bump it when a check changes (a console's checkpoint
 * rows, summed under another, are then checked in full again: src-main/store/checkpoint-sum.ts).
 */
export const PARTIAL_CHECKS = 1;

export type ParsedPartial = { ok: true; partial: PartialInventory } | { ok: false; reason: string };

/** Check a partial from the network (JSON text or parsed JSON); never throws. */
export function parsePartial(input: unknown): ParsedPartial {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (e) {
      return { ok: false, reason: `not JSON: ${(e as Error).message}` };
    }
  }
  const r = partial.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    const where = i === undefined || i.path.length === 0 ? '' : ` at ${i.path.join('.')}`;
    return { ok: false, reason: `not a partial inventory${where}: ${i?.message ?? 'invalid'}` };
  }
  const p = r.data as PartialInventory;
  for (const s of p.sources) {
    const parts = [s.site, s.sensor, ...(s.worker !== null ? [s.worker] : [])].join('/');
    const id = s.run !== null ? `${parts}#${s.run}` : parts;
    if (id !== s.source)
      return { ok: false, reason: `source ${s.source} does not match its site and sensor` };
  }
  // Joined with itself: sorted, duplicates joined, lists bounded (a merge assumes that form).
  return { ok: true, partial: mergePartials(p, p) };
}
