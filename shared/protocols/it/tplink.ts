import { latin1, type ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import type { IdentityAttribute } from '../../model/observation';
import { srcRef } from '../common/refs';
import { cleanText } from '../common/text';
import { Emitter, type KeyOf } from '../common/emit';

const em = new Emitter<typeof VOCABULARY>('tplink-shp');

/**
 * TP-Link Kasa smart-home protocol (tcp/udp 9999): JSON obfuscated with the "autokey" XOR cipher
 * (initial key 171, each cipher byte becomes the next key). TCP frames carry a 4-byte length first.
 * get_sysinfo replies name the model, alias, device id and versions.
 */
const MAX_JSON = 8192;

/** The plain text of the message being read: one string made of it, not one per character added. */
const plain = new Uint8Array(MAX_JSON);

export function decryptAutokey(w: ByteWindow, o: number, n: number): string {
  const m = n > MAX_JSON ? MAX_JSON : n;
  let key = 171;
  for (let i = 0; i < m; i++) {
    const c = w.u8(o + i);
    plain[i] = key ^ c;
    key = c;
  }
  return latin1(plain.subarray(0, m < 0 ? 0 : m));
}

const FIELDS: Record<
  string,
  (IdentityAttribute & KeyOf<typeof VOCABULARY, 'identity'>) | 'hostname' | 'attr'
> = {
  model: 'model',
  alias: 'hostname',
  dev_name: 'description',
  deviceId: 'serial',
  sw_ver: 'firmware',
  hw_ver: 'hardware',
  hwId: 'attr',
  oemId: 'attr',
  mac: 'attr',
  type: 'device-type',
  mic_type: 'device-type',
};

function findSysinfo(v: unknown, depth = 0): Record<string, unknown> | null {
  if (typeof v !== 'object' || v === null || depth > 4) return null;
  const o = v as Record<string, unknown>;
  if (typeof o['get_sysinfo'] === 'object' && o['get_sysinfo'] !== null)
    return o['get_sysinfo'] as Record<string, unknown>;
  for (const k of Object.keys(o).slice(0, 16)) {
    const r = findSysinfo(o[k], depth + 1);
    if (r !== null) return r;
  }
  return null;
}

export function dissectTplink(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
  const tcp = p.ipProto === 6;
  const o = tcp ? 4 : 0;
  if (w.length < o + 2 || (tcp && w.u32(0) > 65536)) return false;
  const text = decryptAutokey(w, o, w.length - o);
  if (text[0] !== '{') return false;
  const me = srcRef(p);
  let values: [string, string][] = [];
  try {
    const info = findSysinfo(JSON.parse(text) as unknown);
    if (info !== null)
      for (const [k, v] of Object.entries(info)) if (typeof v === 'string') values.push([k, v]);
  } catch {
    // Cut short (segment boundary or snap length): fall back to scanning the text.
    const re = /"([A-Za-z_]{1,24})"\s*:\s*"([^"]{0,256})"/g;
    let m: RegExpExecArray | null;
    for (let i = 0; i < 64 && (m = re.exec(text)) !== null; i++) values.push([m[1]!, m[2]!]);
  }
  values = values.filter(([k]) => FIELDS[k] !== undefined);
  if (values.length === 0) {
    // A query (get_sysinfo with an empty argument, or any command sent to the port): the app or hub side.
    if (p.dstPort === 9999)
      em.role(ctx, p, { device: me, field: 'request', role: 'tplink-shp-client', peer: null });
    return true;
  }
  for (const [k, raw] of values) {
    const value = cleanText(raw, 256);
    if (value === '') continue;
    const a = FIELDS[k]!;
    const field = `get_sysinfo.${k}` as const;
    if (a === 'hostname') em.hostname(ctx, p, { device: me, field, name: value });
    else if (a === 'attr') em.attribute(ctx, p, { device: me, field, key: `tplink.${k}`, value });
    else em.identity(ctx, p, { device: me, field, attr: a, value });
  }
  return true;
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['get_sysinfo.*', 'request'],
  keys: {
    attribute: ['tplink.*'],
    identity: ['description', 'device-type', 'firmware', 'hardware', 'model', 'serial'],
    role: ['tplink-shp-client'],
  },
} as const satisfies Vocabulary;

export const tplink: AppProtocol = {
  name: 'tplink-shp',
  group: 'it',
  emits: { 'tplink-shp': VOCABULARY },
  udpPorts: [9999],
  tcpPorts: [9999],
  dissect: dissectTplink,
};
