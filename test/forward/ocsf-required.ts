/**
 * Required attributes of the OCSF classes we emit, written as our own test data from the schema's
 * published definitions (github.com/ocsf/ocsf-schema: events/base_event.json, events/discovery/
 * inventory_info.json, events/findings/finding.json + detection_finding.json, objects/metadata.json,
 * objects/product.json, objects/device.json, objects/finding_info.json, objects/os.json), for the
 * version we pin, 1.3.0. Paths are dotted; a record must carry each one.
 */
export const OCSF_VERSION_TESTED = '1.3.0';

/** base_event: classification and occurrence attributes every class inherits. */
const BASE = ['activity_id', 'category_uid', 'class_uid', 'metadata', 'severity_id', 'time', 'type_uid'];
/**
 * metadata object: the product and the schema version. The product object requires its vendor_name
 * in 1.x (the pre-1.0 drafts required its name instead): we require both, so either reading passes.
 */
const METADATA = [
  'metadata.product',
  'metadata.version',
  'metadata.product.vendor_name',
  'metadata.product.name',
];

export const REQUIRED: Record<number, string[]> = {
  /** Device Inventory Info (Discovery): the device, whose type_id is required. */
  5001: [...BASE, ...METADATA, 'device', 'device.type_id'],
  /** Detection Finding (Findings): finding_info with its uid. */
  2004: [...BASE, ...METADATA, 'finding_info', 'finding_info.uid'],
};

/** Fixed values: class 5001 is category 5, activity 2 Collect; 2004 is category 2, activities 1-3. */
export const CATEGORY: Record<number, number> = { 5001: 5, 2004: 2 };
export const ACTIVITIES: Record<number, number[]> = { 5001: [1, 2], 2004: [1, 2, 3] };

/** device.type_id values defined in 1.3.0 (0 Unknown ... 15 Load Balancer, 99 Other). */
export const DEVICE_TYPE_IDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 99];
/** severity_id values: 0 Unknown, 1 Informational ... 6 Fatal, 99 Other. */
export const SEVERITY_IDS = [0, 1, 2, 3, 4, 5, 6, 99];
/** os.type_id needs a name beside it when present. */
export const OS_REQUIRED = ['name', 'type_id'];

/** The missing required paths of one record (empty when valid). */
export function missingRequired(rec: Record<string, unknown>): string[] {
  const cls = rec.class_uid as number;
  const req = REQUIRED[cls];
  if (req === undefined) return [`class_uid ${String(cls)} is not one we emit`];
  const missing = req.filter((p) => get(rec, p) === undefined || get(rec, p) === null);
  const os = get(rec, 'device.os') as Record<string, unknown> | undefined;
  if (os !== undefined) for (const k of OS_REQUIRED) if (os[k] === undefined) missing.push('device.os.' + k);
  return missing;
}

export function get(o: unknown, path: string): unknown {
  let cur = o;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
