/**
 * Runtime schemas for the inventory shapes of shared/model/inventory.ts, as they travel to the UI.
 * The types stay defined there (the public export format); the checks at the bottom fail to compile
 * if these schemas and those interfaces drift apart.
 */
import { z } from 'zod';
import type { AttributeJson, DeviceJson, EdgeJson, EvidenceJson, IdentityFactJson } from '../model/inventory';
import { IPC_LIMITS as L } from './limits';

const text = z.string().max(L.text);
const id = z.string().min(1).max(L.id);
const count = z.number().int().nonnegative();
/** ISO-8601 timestamps as the inventory writes them; only the length is bounded here. */
const time = z.string().max(64);

export const evidenceSchema = z.object({
  kind: id,
  protocol: id,
  field: text,
  value: text,
  firstFrame: count,
  firstSeen: time,
  lastSeen: time,
  count,
  sources: z.array(id).max(L.list).optional(),
});

export const identityFactSchema = z.object({
  label: z.string().max(64),
  value: text,
  protocol: id,
  firstSeen: time,
  lastSeen: time,
});

/** By source; the inventory bounds it (shared/inventory/identity.ts), these limits only backstop it. */
export const identitySchema = z
  .record(id, z.array(identityFactSchema).max(L.list))
  .refine((r) => Object.keys(r).length <= L.list, 'too many identity groups');

export const attributeSchema = z.object({
  value: text,
  confidence: z.number().min(0).max(1),
  evidence: z
    .array(
      z.object({
        rule: id,
        kind: id,
        protocol: id,
        field: text,
        value: text,
        frame: count.nullable(),
        time: time.nullable(),
      }),
    )
    .max(L.evidence),
  alternatives: z
    .array(z.object({ value: text, confidence: z.number().min(0).max(1), rules: z.array(id).max(L.list) }))
    .max(L.list),
});

export const deviceSchema = z.object({
  id,
  mac: z.string().max(64).nullable(),
  ips: z.array(z.string().max(64)).max(L.list),
  hostname: text.nullable(),
  vendor: text.nullable(),
  ouiVendor: text.nullable(),
  category: text.nullable(),
  type: text.nullable(),
  model: text.nullable(),
  os: text.nullable(),
  firmware: text.nullable(),
  serial: text.nullable(),
  hostnames: z.array(z.object({ name: text, source: text })).max(L.list),
  roles: z.array(text).max(L.list),
  protocols: z.array(id).max(L.list),
  services: z
    .array(z.object({ transport: z.enum(['tcp', 'udp']), port: z.number().int().min(0).max(65535) }))
    .max(L.list),
  vlans: z.array(z.number().int().min(0).max(4095)).max(L.list),
  localMac: z.boolean(),
  router: z.boolean(),
  routed: z.boolean(),
  via: z.array(id).max(L.list),
  firstSeen: time,
  lastSeen: time,
  packets: count,
  bytes: count,
  packetsSent: count,
  packetsReceived: count,
  bytesSent: count,
  bytesReceived: count,
  identity: identitySchema.optional(),
  evidence: z.array(evidenceSchema).max(L.evidence).optional(),
  attributes: z.record(z.string().max(64), attributeSchema).optional(),
  purdue: z
    .object({ level: z.number().min(0).max(5), reason: text })
    .nullable()
    .optional(),
  notes: z
    .string()
    .max(4 * L.text)
    .nullable()
    .optional(),
  edited: z.array(id).max(16).optional(),
  site: id.nullable().optional(),
  sensors: z.array(id).max(L.list).optional(),
});

export const edgeSchema = z.object({
  a: id,
  b: id,
  protocols: z.array(id).max(L.list),
  packets: count,
  bytes: count,
  packetsAtoB: count,
  packetsBtoA: count,
  bytesAtoB: count,
  bytesBtoA: count,
  firstSeen: time,
  lastSeen: time,
});

// Compile-time drift checks: each side must be assignable to the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _evidenceMatches: Same<z.infer<typeof evidenceSchema>, EvidenceJson> = true;
const _deviceMatches: Same<z.infer<typeof deviceSchema>, DeviceJson> = true;
const _edgeMatches: Same<z.infer<typeof edgeSchema>, EdgeJson> = true;
const _attributeMatches: Same<z.infer<typeof attributeSchema>, AttributeJson> = true;
const _identityMatches: Same<z.infer<typeof identityFactSchema>, IdentityFactJson> = true;
// Optional fields pass the checks above even when a schema lacks them (and zod would strip them):
// every key of DeviceJson must be a key of the schema.
const _deviceKeys: Same<keyof z.infer<typeof deviceSchema>, keyof DeviceJson> = true;
void [_evidenceMatches, _deviceMatches, _edgeMatches, _attributeMatches, _identityMatches, _deviceKeys];
