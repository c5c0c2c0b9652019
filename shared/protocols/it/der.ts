import type { ByteWindow } from '../../decode/window';
import { cleanText } from '../common/text';

/**
 * A small bounded DER walker for X.509 certificates: enough to read the subject and issuer names and
 * the subjectAltName DNS names of a server's leaf certificate. Definite lengths only (DER), at most
 * four length octets, every element checked against its parent's end.
 */
export interface Tlv {
  tag: number;
  /** Offset of the value and its length. */
  vo: number;
  len: number;
  /** Offset just past the element. */
  end: number;
}

export function readTlv(w: ByteWindow, o: number, limit: number): Tlv | null {
  if (o + 2 > limit || !w.has(o, 2)) return null;
  const tag = w.u8(o);
  if ((tag & 0x1f) === 0x1f) return null; // multi-byte tags do not occur in certificates
  let len = w.u8(o + 1);
  let vo = o + 2;
  if (len >= 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || !w.has(vo, n)) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + w.u8(vo + i);
    vo += n;
  }
  const end = vo + len;
  if (end > limit || !w.has(vo, len)) return null;
  return { tag, vo, len, end };
}

/** The name attributes read: OIDs 2.5.4.x (DER 55 04 x), told apart in place (no hex string). */
function attrName(w: ByteWindow, oid: Tlv): string | undefined {
  if (oid.len !== 3 || w.u8(oid.vo) !== 0x55 || w.u8(oid.vo + 1) !== 0x04) return undefined;
  switch (w.u8(oid.vo + 2)) {
    case 0x03:
      return 'CN';
    case 0x0a:
      return 'O';
    case 0x0b:
      return 'OU';
    case 0x06:
      return 'C';
    case 0x07:
      return 'L';
    case 0x08:
      return 'ST';
    case 0x05:
      return 'serialNumber';
    default:
      return undefined;
  }
}

/** The OID in `t` is the three bytes a, b, c (compared in place: no hex string is made of it). */
function oidIs(w: ByteWindow, t: Tlv, a: number, b: number, c: number): boolean {
  return t.len === 3 && w.u8(t.vo) === a && w.u8(t.vo + 1) === b && w.u8(t.vo + 2) === c;
}

function stringValue(w: ByteWindow, t: Tlv): string {
  if (t.tag === 0x1e) {
    // BMPString: UTF-16BE.
    let s = '';
    for (let i = 0; i + 1 < t.len && i < 512; i += 2) s += String.fromCharCode(w.u16(t.vo + i));
    return cleanText(s, 256);
  }
  return cleanText(w.utf8(t.vo, t.len, 256), 256);
}

export interface DistinguishedName {
  /** "CN=...,O=..." in wire order, known attributes only. */
  text: string;
  cn: string;
  o: string;
}

/** Read an X.501 Name (SEQUENCE of SET of AttributeTypeAndValue). */
export function readName(w: ByteWindow, name: Tlv): DistinguishedName {
  const out: DistinguishedName = { text: '', cn: '', o: '' };
  let o = name.vo;
  for (let i = 0; i < 32 && o < name.end; i++) {
    const set = readTlv(w, o, name.end);
    if (set === null || set.tag !== 0x31) break;
    o = set.end;
    let a = set.vo;
    for (let j = 0; j < 8 && a < set.end; j++) {
      const atv = readTlv(w, a, set.end);
      if (atv === null || atv.tag !== 0x30) break;
      a = atv.end;
      const oid = readTlv(w, atv.vo, atv.end);
      if (oid === null || oid.tag !== 0x06) continue;
      const val = readTlv(w, oid.end, atv.end);
      if (val === null) continue;
      const key = attrName(w, oid);
      if (key === undefined) continue;
      const v = stringValue(w, val);
      if (key === 'CN' && out.cn === '') out.cn = v;
      if (key === 'O' && out.o === '') out.o = v;
      if (out.text.length < 512) out.text += (out.text === '' ? '' : ',') + key + '=' + v;
    }
  }
  return out;
}

export interface CertSummary {
  subject: DistinguishedName;
  issuer: DistinguishedName;
  sanDns: string[];
}

/** Summarise one DER certificate at [o, o+n) of `w`; null when it does not parse. */
export function readCertificate(w: ByteWindow, o: number, n: number): CertSummary | null {
  const limit = o + n;
  const cert = readTlv(w, o, limit);
  if (cert === null || cert.tag !== 0x30) return null;
  const tbs = readTlv(w, cert.vo, cert.end);
  if (tbs === null || tbs.tag !== 0x30) return null;
  const parts: Tlv[] = [];
  let p = tbs.vo;
  for (let i = 0; i < 12 && p < tbs.end; i++) {
    const t = readTlv(w, p, tbs.end);
    if (t === null) break;
    parts.push(t);
    p = t.end;
  }
  // [0] version is optional: skip it so that serial is first.
  const k = parts.length > 0 && parts[0]!.tag === 0xa0 ? 1 : 0;
  const issuerT = parts[k + 2];
  const subjectT = parts[k + 4];
  if (issuerT === undefined || subjectT === undefined || issuerT.tag !== 0x30 || subjectT.tag !== 0x30)
    return null;
  const out: CertSummary = { subject: readName(w, subjectT), issuer: readName(w, issuerT), sanDns: [] };
  const extsT = parts.find((t) => t.tag === 0xa3);
  if (extsT !== undefined) {
    const seq = readTlv(w, extsT.vo, extsT.end);
    if (seq !== null && seq.tag === 0x30) {
      let e = seq.vo;
      for (let i = 0; i < 64 && e < seq.end; i++) {
        const ext = readTlv(w, e, seq.end);
        if (ext === null || ext.tag !== 0x30) break;
        e = ext.end;
        const oid = readTlv(w, ext.vo, ext.end);
        // subjectAltName, 2.5.29.17.
        if (oid === null || oid.tag !== 0x06 || !oidIs(w, oid, 0x55, 0x1d, 0x11)) continue;
        let v = readTlv(w, oid.end, ext.end);
        if (v !== null && v.tag === 0x01) v = readTlv(w, v.end, ext.end); // critical flag
        if (v === null || v.tag !== 0x04) continue;
        const names = readTlv(w, v.vo, v.end);
        if (names === null || names.tag !== 0x30) continue;
        let g = names.vo;
        for (let j = 0; j < 64 && g < names.end; j++) {
          const gn = readTlv(w, g, names.end);
          if (gn === null) break;
          g = gn.end;
          if (gn.tag === 0x82 && out.sanDns.length < 32)
            out.sanDns.push(cleanText(w.ascii(gn.vo, gn.len, 255), 255));
        }
      }
    }
  }
  return out;
}
