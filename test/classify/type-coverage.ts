import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { DeviceJson } from '../../shared/model/inventory';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { PCAPS, corpusFiles, groundTruth, type GtDevice } from '../helpers/corpus';

/**
 * How many devices have a type, per capture: all devices, those that carry an application-layer
 * identity or an OT role (issue 18's goal: a type for >= 90 % of them), and those whose type the
 * ground truth implies. GROUND_TRUTH lists no types, only roles inferred from protocol direction, so
 * "knows the type" means: an OT responder (Modbus/S7/EtherNet/IP target, DNP3 outstation, IEC 104
 * controlled station, BACnet I-Am sender that never sends Who-Is) must be an OT field device type, and
 * an OT master (that answers none of these) a supervisory or IT host type. Works on the device JSON of
 * any build (`analyze --format json`), so the same measure runs on main's build and on ours.
 */

/** Roles that say a device takes part in OT control traffic (either side). */
const OT_ROLE =
  /^(modbus-|s7-|s7plus-|enip-(server|client|target|originator)|cip-|dnp3-|iec104-|bacnet-device|goose-|synchrophasor-|profinet-io-|fins-|mms-|opc-ua-server|melsec-|hart-ip-)/;

/** Field-device types: what an OT responder may correctly be. */
export const FIELD_TYPES = new Set([
  'plc',
  'rtu',
  'ied',
  'io-module',
  'drive',
  'building-controller',
  'protocol-gateway',
  'ot-device',
  'sensor',
]);
/** What an OT master may correctly be. */
export const MASTER_TYPES = new Set([
  'scada-server',
  'hmi',
  'engineering-workstation',
  'historian',
  'workstation',
  'server',
  'laptop',
]);

const GT_FIELD =
  /^(Modbus\/TCP server|S7comm server|EtherNet\/IP target|DNP3 outstation|IEC 60870-5-104 controlled|BACnet device)/;
const GT_MASTER =
  /^(Modbus\/TCP client|S7comm client|EtherNet\/IP originator|DNP3 master|IEC 60870-5-104 controlling)/;

/** The type class the ground truth implies for a device, or null when it implies none. */
export function gtTypeClass(d: GtDevice): 'field' | 'master' | null {
  const roles = (d.evidence.role ?? []).map(([v]) => v);
  const field = roles.some(
    (r) => GT_FIELD.test(r) && !(/^BACnet device/.test(r) && roles.some((x) => /Who-Is/.test(x))),
  );
  const master = roles.some((r) => GT_MASTER.test(r));
  if (field) return 'field';
  return master ? 'master' : null;
}

/** An application-layer identity (anything beyond the OUI) or an OT role. */
export function carriesIdentity(j: DeviceJson): boolean {
  if (j.identity !== undefined && Object.keys(j.identity).length > 0) return true;
  if (j.model !== null || j.os !== null || j.firmware !== null || j.hostname !== null) return true;
  return j.roles.some((r) => OT_ROLE.test(r));
}

export interface CaptureCoverage {
  file: string;
  devices: number;
  untyped: number;
  /** Devices with an identity or OT role, and how many of them have no type. */
  identified: number;
  identifiedUntyped: number;
  /** Devices with an OT role, and how many of them have no type. */
  ot: number;
  otUntyped: number;
  /** Ground-truth devices with a type class, and how many of those we type within that class. */
  gtKnown: number;
  gtCorrect: number;
  /** Devices with identity but no type, for the report. */
  missing: string[];
  /** Type per device id, to list what changed between two builds. */
  types: Record<string, string | null>;
}

/** One capture's coverage from its classified devices. */
export function coverageOf(
  file: string,
  devices: readonly DeviceJson[],
  gt: readonly GtDevice[],
): CaptureCoverage {
  const c: CaptureCoverage = {
    file,
    devices: devices.length,
    untyped: 0,
    identified: 0,
    identifiedUntyped: 0,
    ot: 0,
    otUntyped: 0,
    gtKnown: 0,
    gtCorrect: 0,
    missing: [],
    types: {},
  };
  const byId = new Map<string, DeviceJson>();
  const byIp = new Map<string, DeviceJson>();
  for (const d of devices) {
    c.types[d.id] = d.type;
    byId.set(d.id, d);
    for (const ip of d.ips) if (d.mac === null || !byIp.has(ip)) byIp.set(ip, d);
    if (d.type === null) c.untyped++;
    if (d.roles.some((r) => OT_ROLE.test(r))) {
      c.ot++;
      if (d.type === null) c.otUntyped++;
    }
    if (!carriesIdentity(d)) continue;
    c.identified++;
    if (d.type === null) {
      c.identifiedUntyped++;
      if (c.missing.length < 20) c.missing.push(d.id);
    }
  }
  for (const g of gt) {
    const cls = gtTypeClass(g);
    if (cls === null) continue;
    c.gtKnown++;
    const id = g.macs.length > 0 ? 'mac:' + g.macs[0] : 'ip:' + (g.ips[0] ?? g.key);
    const d = byId.get(id) ?? (g.ips[0] !== undefined ? byIp.get(g.ips[0]) : undefined);
    const t = d?.type ?? null;
    if (t !== null && (cls === 'field' ? FIELD_TYPES : MASTER_TYPES).has(t)) c.gtCorrect++;
  }
  return c;
}

/** Classified devices of one capture, in this process (the rules of this checkout). */
export async function devicesInProcess(file: string): Promise<DeviceJson[]> {
  const a = createAnalyzer();
  try {
    await analyzeFile(a, path.join(PCAPS, file));
  } catch {
    // Fuzz files may end early; what was read still counts.
  }
  const peers = a.peers();
  return [...a.inventory.devices()].map((d) => a.deviceJson(d, false, peers));
}

/** Classified devices of one capture from a build's CLI (`bin/glasspane.cjs`), e.g. main's. */
export function devicesFromCli(bin: string, file: string): DeviceJson[] {
  const r = spawnSync(process.execPath, [bin, 'analyze', path.join(PCAPS, file), '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.stdout === '') return [];
  return (JSON.parse(r.stdout) as { devices: DeviceJson[] }).devices;
}

export async function measureCorpus(devicesOf: (file: string) => Promise<DeviceJson[]> | DeviceJson[]) {
  const gt = new Map(groundTruth().map((g) => [g.file, g.devices]));
  const out: CaptureCoverage[] = [];
  for (const f of corpusFiles()) out.push(coverageOf(f, await devicesOf(f), gt.get(f) ?? []));
  return out;
}

export function totals(cs: readonly CaptureCoverage[]) {
  type Counted =
    'devices' | 'untyped' | 'identified' | 'identifiedUntyped' | 'ot' | 'otUntyped' | 'gtKnown' | 'gtCorrect';
  const sum = (k: Counted) => cs.reduce((n, c) => n + c[k], 0);
  return {
    devices: sum('devices'),
    untyped: sum('untyped'),
    identified: sum('identified'),
    identifiedUntyped: sum('identifiedUntyped'),
    ot: sum('ot'),
    otUntyped: sum('otUntyped'),
    gtKnown: sum('gtKnown'),
    gtCorrect: sum('gtCorrect'),
  };
}

/**
 * `node --import tsx test/classify/type-coverage.ts [BIN] [--json OUT]`: the table for one build (BIN,
 * e.g. /work/main/bin/glasspane.cjs) or for this checkout's rules in process.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const bin = args.find((a) => !a.startsWith('--') && a.endsWith('.cjs'));
  const jsonAt = args.indexOf('--json');
  const cs = await measureCorpus(bin === undefined ? devicesInProcess : (f) => devicesFromCli(bin, f));
  const pct = (a: number, b: number) => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);
  for (const c of cs)
    console.log(
      `${c.file.padEnd(72)} untyped ${String(c.untyped).padStart(4)}/${String(c.devices).padEnd(4)} ${pct(c.untyped, c.devices)}` +
        `  identified-untyped ${String(c.identifiedUntyped).padStart(3)}/${String(c.identified).padEnd(3)} ${pct(c.identifiedUntyped, c.identified)}` +
        `  gt-typed ${c.gtCorrect}/${c.gtKnown}`,
    );
  const t = totals(cs);
  console.log(
    `TOTAL untyped ${t.untyped}/${t.devices} ${pct(t.untyped, t.devices)}; identified-untyped ${t.identifiedUntyped}/${t.identified} ${pct(t.identifiedUntyped, t.identified)}; ot-role-untyped ${t.otUntyped}/${t.ot} ${pct(t.otUntyped, t.ot)}; gt-typed ${t.gtCorrect}/${t.gtKnown} ${pct(t.gtCorrect, t.gtKnown)}`,
  );
  if (jsonAt >= 0) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(args[jsonAt + 1]!, JSON.stringify(cs));
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename))
  await main();
