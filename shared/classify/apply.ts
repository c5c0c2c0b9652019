import type { AttributeJson, DeviceJson } from '../model/inventory';
import type { Attribute } from './combine';
import type { Classification } from './classify';

export type { AttributeJson };
/** Kept as a name for readers of classify's API; the fields live on DeviceJson itself. */
export type ClassifiedDeviceJson = DeviceJson;

const NAMES = ['vendor', 'category', 'type', 'model', 'os', 'firmware', 'hostname'] as const;

/**
 * Fill a device's classified fields from a classification, in place (callers pass the JSON they just
 * made: a copy by spread gave every device a hidden class of its own in V8, a kilobyte each at a
 * console's million devices). Values the inventory already had stay when classification has nothing
 * to say (a router stays a router); roles are merged.
 */
export function applyClassification(json: DeviceJson, c: Classification): ClassifiedDeviceJson {
  const pick = (a: Attribute, had: string | null) => a.value ?? had;
  const attributes: Record<string, AttributeJson> = {};
  for (const n of NAMES) {
    const a = c[n];
    if (a.value !== null)
      attributes[n] = {
        value: a.value,
        confidence: a.confidence,
        evidence: a.evidence,
        alternatives: a.alternatives,
      };
  }
  const roles = new Set(json.roles);
  for (const r of c.roles) roles.add(r.value);
  json.hostname = pick(c.hostname, json.hostname);
  json.vendor = pick(c.vendor, json.vendor);
  json.category = pick(c.category, json.category);
  json.type = pick(c.type, json.type);
  json.model = pick(c.model, json.model);
  json.os = pick(c.os, json.os);
  json.firmware = pick(c.firmware, json.firmware);
  json.roles = [...roles].sort();
  json.attributes = attributes;
  json.purdue = c.purdue;
  return json;
}
