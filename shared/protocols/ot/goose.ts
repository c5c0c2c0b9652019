import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { readTlv } from './ber';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';
import { hex } from '../common/hex';

/**
 * IEC 61850-8-1 GOOSE (EtherType 0x88b8): APPID, length, two reserved words, then a BER goosePdu
 * ([APPLICATION 1]) whose first members name the control block (gocbRef), data set and GOOSE id.
 * The sender is the publishing IED. Published every few ms, so each control block is stated once.
 */

const em = new Emitter<typeof VOCABULARY>('goose');

interface GooseState {
  once: OnceSet;
}
const newState = (): GooseState => ({ once: new OnceSet(256) });

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['APPID', 'goosePdu', 'goosePdu.confRev', 'goosePdu.datSet', 'goosePdu.goID', 'goosePdu.gocbRef'],
  keys: {
    attribute: ['goose.appid', 'goose.confRev', 'goose.datSet', 'goose.goID', 'goose.gocbRef'],
    role: ['goose-publisher'],
  },
} as const satisfies Vocabulary;

export const goose: AppProtocol = {
  name: 'goose',
  group: 'ot',
  emits: { goose: VOCABULARY },
  etherTypes: [0x88b8],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    const len = w.u16(2);
    if (w.length < 10 || len < 10 || len > w.length) return false;
    const pdu = readTlv(w, 8, len);
    if (pdu === null || pdu.tag !== 0x61) return false;
    let gocbRef = '';
    let datSet = '';
    let goId = '';
    let confRev = -1;
    let o = pdu.at;
    const end = pdu.at + pdu.len;
    for (let n = 0; n < 12 && o < end; n++) {
      const t = readTlv(w, o, end);
      if (t === null) break;
      if (t.tag === 0x80) gocbRef = w.ascii(t.at, t.len, 129);
      else if (t.tag === 0x82) datSet = w.ascii(t.at, t.len, 129);
      else if (t.tag === 0x83) goId = w.ascii(t.at, t.len, 129);
      else if (t.tag === 0x88 && t.len <= 4) {
        confRev = 0;
        for (let i = 0; i < t.len; i++) confRev = confRev * 256 + w.u8(t.at + i);
      } else if (t.tag === 0xab) break; // allData: the values, not identity
      o = t.at + t.len;
    }
    if (gocbRef === '') return true;
    const s = ctx.flowState(p, 'goose', newState);
    if (s.once.first(p.srcMac + '/' + gocbRef)) {
      em.role(ctx, p, { end: 'src', field: 'goosePdu', role: 'goose-publisher', peer: null });
      em.attribute(ctx, p, { end: 'src', field: 'goosePdu.gocbRef', key: 'goose.gocbRef', value: gocbRef });
      em.attribute(ctx, p, { end: 'src', field: 'goosePdu.datSet', key: 'goose.datSet', value: datSet });
      em.attribute(ctx, p, { end: 'src', field: 'goosePdu.goID', key: 'goose.goID', value: goId });
      em.attribute(ctx, p, {
        end: 'src',
        field: 'APPID',
        key: 'goose.appid',
        value: hex(w.u16(0), 4),
      });
      if (confRev >= 0)
        em.attribute(ctx, p, {
          end: 'src',
          field: 'goosePdu.confRev',
          key: 'goose.confRev',
          value: String(confRev),
        });
    }
    return true;
  },
};
