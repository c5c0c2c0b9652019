import path from 'node:path';
import { classify, factsOf, peerIndex, type Classification, type CompiledRule } from '../../shared/classify';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import type { Inventory } from '../../shared/inventory/inventory';
import { PCAPS, corpusFiles, groundTruth, type GtCapture } from '../helpers/corpus';

/**
 * Scores classification against GROUND_TRUTH.jsonl: for every listed device and every attribute the
 * ground truth names (vendor, host name, type/role, model, OS, firmware), is one of its values in our
 * output for that device (the attribute's value, its evidence or its alternatives)?
 */
export const SCORED = ['vendor', 'hostname', 'role', 'model', 'os', 'firmware'] as const;
export type Scored = (typeof SCORED)[number];

/**
 * Ground-truth evidence keys per scored attribute; the values are raw strings tshark shows. A key
 * mapped to several attributes is one unit, found in any of them (an LLDP description names a model
 * or an OS).
 */
function attributeOf(key: string): Scored[] {
  if (
    key.startsWith('hostname') ||
    key.startsWith('NetBIOS name') ||
    key === 'LLDP system name' ||
    key === 'CDP device id'
  )
    return ['hostname'];
  if (key === 'SNMP sysName' || key.startsWith('FQDN') || key === 'PN-DCP NameOfStation') return ['hostname'];
  if (key === 'BACnet ReadProperty-ACK vendor-name') return ['vendor'];
  if (
    [
      'BACnet ReadProperty-ACK model-name',
      'CIP Identity product name',
      'ENIP ListIdentity product name',
      'CDP platform',
      'S7 SZL 0x1C CPU type',
      'S7 SZL 0x0011 module identification',
      'PN-DCP DeviceVendorValue (type of station)',
    ].includes(key)
  )
    return ['model'];
  if (key === 'Modbus FC43 device identification objects') return ['model', 'vendor', 'firmware'];
  if (['OS version (NTLMSSP version)', 'SMB Native OS', 'OS version (BROWSER announcement)'].includes(key))
    return ['os'];
  if (key === 'SNMP sysDescr' || key === 'LLDP system description') return ['os', 'model'];
  if (
    [
      'BACnet ReadProperty-ACK firmware-revision',
      'CIP Identity revision',
      'ENIP ListIdentity revision',
    ].includes(key)
  )
    return ['firmware'];
  if (key === 'CDP software version') return ['firmware', 'os'];
  if (key === 'role') return ['role'];
  return [];
}

/** Ground-truth role text -> the role ids (or types) that mean the same. */
const ROLE_MAP: [RegExp, string[]][] = [
  [/^DHCP client/, ['dhcp-client']],
  [/^DHCP server/, ['dhcp-server']],
  [/^DHCPv6 client/, ['dhcpv6-client']],
  [/^DHCPv6 server/, ['dhcpv6-server']],
  [/^BACnet device/, ['bacnet-device']],
  [/^BACnet Who-Is/, ['bacnet-who-is-sender']],
  [/^Modbus\/TCP client/, ['modbus-client']],
  [/^Modbus\/TCP server/, ['modbus-server']],
  [/^LLDP speaker/, ['lldp-speaker']],
  [/^CDP speaker/, ['cdp-speaker']],
  [/^STP bridge/, ['stp-bridge', 'bridge', 'switch']],
  [/^DNP3 master/, ['dnp3-master']],
  [/^DNP3 outstation/, ['dnp3-outstation']],
  [/^EtherNet\/IP target/, ['enip-target', 'enip-server', 'cip-adapter']],
  [/^EtherNet\/IP originator/, ['enip-originator', 'enip-client', 'cip-scanner']],
  [/^EtherNet\/IP device/, ['enip-device']],
  [/^S7comm client/, ['s7-client', 's7plus-client']],
  [/^S7comm server/, ['s7-server', 's7plus-server']],
  [/^IPv6 router/, ['ipv6-router', 'router']],
  [/^MQTT client/, ['mqtt-client']],
  [/^MQTT broker/, ['mqtt-broker']],
  [/^IEC 60870-5-104 controlling/, ['iec104-controlling-station']],
  [/^IEC 60870-5-104 controlled/, ['iec104-controlled-station']],
];

export interface Unit {
  file: string;
  device: string;
  attr: Scored;
  want: string[];
  found: boolean;
  /** Found in the chosen value itself (not only in its evidence or alternatives). */
  strict: boolean;
  got: string;
}

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/^"|"$/g, '')
    .replace(/<[0-9a-f]{2}>.*$/, '')
    .replace(/\s+/g, ' ')
    .replace(/\.local\.?$/, '')
    .replace(/\.$/, '')
    .trim();

/** Everything our output says for one attribute of a device. */
function said(c: Classification, attr: Scored, strict = false): string[] {
  if (attr === 'role') return [...c.roles.map((r) => r.value), c.type.value ?? ''].filter((x) => x !== '');
  const a = c[attr];
  const out: string[] = [];
  if (a.value !== null) out.push(a.value);
  if (strict) return out;
  for (const e of a.evidence) out.push(e.value);
  for (const x of a.alternatives) out.push(x.value);
  return out;
}

/** Version numbers and long words of a ground-truth value, for "5.2 build 3790" against "5.2.3790". */
function tokens(s: string): string[] {
  return (norm(s).match(/\d+(\.\d+)*|[a-z][a-z0-9-]{2,}/g) ?? []).filter((t) => t !== 'build');
}

function valueFound(attr: Scored, want: string, ours: string[]): boolean {
  const w = norm(want);
  if (w === '') return false;
  const o = ours.map(norm);
  if (attr === 'role') {
    const m = ROLE_MAP.find(([re]) => re.test(want));
    return m !== undefined && m[1].some((r) => o.includes(r));
  }
  if (attr === 'hostname') {
    // Same name whatever the punctuation ("Luca’s iMac" is Lucas-iMac), or the same first label.
    const alnum = (s: string) => s.split('.')[0]!.replace(/[^a-z0-9]/g, '');
    return o.some(
      (x) => x === w || x.split('.')[0] === w.split('.')[0] || (alnum(x) !== '' && alnum(x) === alnum(w)),
    );
  }
  if (attr === 'vendor') {
    // The OUI name or a stated vendor: compare on the first significant word.
    const first = (s: string) =>
      s
        .replace(/[^a-z0-9 ]/g, ' ')
        .split(/\s+/)
        .find((x) => x.length > 1) ?? s;
    return o.some((x) => x.includes(w) || w.includes(x) || first(x) === first(w));
  }
  if (o.some((x) => x.includes(w) || (x.length > 3 && w.includes(x)))) return true;
  // Long ground-truth strings (S7 module identification, Modbus object lists): any part we state.
  if (attr === 'model' && /order no\. \(mlfb\) ([^,]+)/.test(w)) {
    const mlfb = /order no\. \(mlfb\) ([^,]+)/.exec(w)![1]!.trim();
    return o.some((x) => x.includes(mlfb));
  }
  if (w.includes(' | ')) return w.split(' | ').some((part) => valueFound(attr, part, ours));
  const t = tokens(want);
  return t.length > 0 && t.every((tok) => o.some((x) => x.includes(tok)));
}

/** A capture analysed once: its inventory, ready to classify with any rule set. */
export interface Analysed {
  inv: Inventory;
  peers: ReturnType<typeof peerIndex>;
}

export async function analyseCapture(file: string): Promise<Analysed> {
  const a = createAnalyzer();
  try {
    await analyzeFile(a, path.join(PCAPS, file));
  } catch {
    // Fuzz files may end early; what was read still counts.
  }
  return { inv: a.inventory, peers: peerIndex(a.inventory) };
}

/** Every device of an analysed capture classified with `rules`, by id and by address. */
export function classifyAll(
  x: Analysed,
  rules: readonly CompiledRule[],
): { byId: Map<string, Classification>; byIp: Map<string, Classification> } {
  const byId = new Map<string, Classification>();
  const byIp = new Map<string, Classification>();
  for (const d of x.inv.devices()) {
    const c = classify(factsOf(d, x.inv, x.peers), rules);
    byId.set(d.id, c);
    // Address-only devices first; a MAC device answers for its addresses when none is address-only.
    for (const ip of x.inv.deviceJson(d, false).ips) if (d.mac < 0 || !byIp.has(ip)) byIp.set(ip, c);
  }
  return { byId, byIp };
}

/** The ground truth's units for one capture, against its devices classified (classifyAll). */
export function scoreCapture(gt: GtCapture, cls: ReturnType<typeof classifyAll>): Unit[] {
  const units: Unit[] = [];
  const { byId, byIp } = cls;
  for (const dev of gt.devices) {
    // One unit per attribute (any of its values found), keyed by the attributes it may be found in.
    const wants = new Map<string, { attrs: Scored[]; values: string[] }>();
    const add = (attrs: Scored[], v: string) => {
      const k = attrs.join('|');
      const u = wants.get(k) ?? { attrs, values: [] };
      u.values.push(v);
      wants.set(k, u);
    };
    for (const o of dev.oui)
      if (o !== '' && !/locally administered|unknown OUI|Officially Xerox/.test(o)) add(['vendor'], o);
    const roles: string[] = [];
    for (const [k, vals] of Object.entries(dev.evidence)) {
      const attrs = attributeOf(k);
      if (attrs.length === 0) continue;
      for (const [v] of vals) {
        if (attrs[0] === 'role') roles.push(v);
        else add(attrs, v);
      }
    }
    const id = dev.macs.length > 0 ? 'mac:' + dev.macs[0] : 'ip:' + (dev.ips[0] ?? dev.key);
    const c = byId.get(id) ?? (dev.ips[0] !== undefined ? byIp.get(dev.ips[0]) : undefined);
    const check = (attrs: Scored[], want: string[]) => {
      const ours = c === undefined ? [] : attrs.flatMap((a) => said(c, a));
      const found = want.some((w) => attrs.some((a) => valueFound(a, w, ours)));
      const chosen = c === undefined ? [] : attrs.flatMap((a) => said(c, a, true));
      const strict = want.some((w) => attrs.some((a) => valueFound(a, w, chosen)));
      units.push({
        file: gt.file,
        device: dev.key,
        attr: attrs[0]!,
        want,
        found,
        strict,
        got: ours.slice(0, 4).join(' | '),
      });
    };
    for (const u of wants.values()) check(u.attrs, u.values);
    // Roles count one by one: each is its own claim about the device (IPv6 RA senders are not ours to see).
    for (const r of roles) if (!/^IPv6 router/.test(r)) check(['role'], [r]);
  }
  return units;
}

export async function scoreCorpus(rules: readonly CompiledRule[]): Promise<Unit[]> {
  const units: Unit[] = [];
  const files = new Set(corpusFiles());
  for (const gt of groundTruth()) {
    if (!files.has(gt.file)) continue;
    units.push(...scoreCapture(gt, classifyAll(await analyseCapture(gt.file), rules)));
  }
  return units;
}

export interface Score {
  n: number;
  found: number;
  strict: number;
}

export function summary(units: Unit[]): { perAttr: Record<string, Score>; overall: number; strict: number } {
  const perAttr: Record<string, Score> = {};
  for (const u of units) {
    const s = (perAttr[u.attr] ??= { n: 0, found: 0, strict: 0 });
    s.n++;
    if (u.found) s.found++;
    if (u.strict) s.strict++;
  }
  const n = units.length || 1;
  return {
    perAttr,
    overall: units.filter((u) => u.found).length / n,
    strict: units.filter((u) => u.strict).length / n,
  };
}
