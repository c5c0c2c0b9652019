import type { EdgeJson } from '../../shared/model/inventory';

/** An edge as stored: this session's counts, and what earlier sessions left (`base_*`) carried. */
export interface EdgeRow {
  a: string;
  b: string;
  protocols: string;
  pab: number;
  pba: number;
  bab: number;
  bba: number;
  first: string;
  last: string;
  base_protocols: string;
  base_pab: number;
  base_pba: number;
  base_bab: number;
  base_bba: number;
  base_overlap: number;
}

/** The one key of an unordered pair of device ids (ids never hold NUL). */
export function pairKey(x: string, y: string): string {
  return x < y ? x + '\u0000' + y : y + '\u0000' + x;
}

/** The key of a stored row, in its order: sessions that met the two devices in another order store the pair both ways. */
export function rowKey(r: { a: string; b: string }): string {
  return r.a + '\u0000' + r.b;
}

/** The two ids of a pair key, in order. */
export function pairOf(key: string): [string, string] {
  return key.split('\u0000') as [string, string];
}

/** The edge a row shows: earlier sessions' counts added (or, for the same traffic again, the larger kept). */
export function edgeJson(r: EdgeRow): EdgeJson {
  const total = (base: number, cur: number) => (r.base_overlap ? Math.max(base, cur) : base + cur);
  const pab = total(r.base_pab, r.pab);
  const pba = total(r.base_pba, r.pba);
  const bab = total(r.base_bab, r.bab);
  const bba = total(r.base_bba, r.bba);
  const protocols =
    r.base_protocols === ''
      ? r.protocols
      : [...new Set((r.base_protocols + ',' + r.protocols).split(','))]
          .filter((x) => x !== '')
          .sort()
          .join(',');
  return {
    a: r.a,
    b: r.b,
    protocols: protocols === '' ? [] : protocols.split(','),
    packets: pab + pba,
    bytes: bab + bba,
    packetsAtoB: pab,
    packetsBtoA: pba,
    bytesAtoB: bab,
    bytesBtoA: bba,
    firstSeen: r.first,
    lastSeen: r.last,
  };
}
