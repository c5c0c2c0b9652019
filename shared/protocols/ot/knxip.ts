import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';
import { hexBytes } from '../common/hex';

/**
 * KNXnet/IP (ISO 22510, udp/3671): a 6-byte header (length 6, version 0x10 or 0x20, service type,
 * total length). Search / description responses carry a device-information block with the KNX
 * individual address, serial number and friendly name; other services give roles only.
 */

const em = new Emitter<typeof VOCABULARY>('knxip');
const PORT = 3671;

interface KnxFlow {
  once: OnceSet;
}
const newFlow = (): KnxFlow => ({ once: new OnceSet(32) });

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'DeviceInformationDIB',
    'DeviceInformationDIB.friendlyName',
    'DeviceInformationDIB.individualAddress',
    'DeviceInformationDIB.serialNumber',
    'SearchRequest',
    'header',
  ],
  keys: {
    attribute: ['knx.individual-address'],
    identity: ['product', 'serial'],
    role: ['knxip-client', 'knxip-server'],
  },
} as const satisfies Vocabulary;

export const knxip: AppProtocol = {
  name: 'knxip',
  group: 'ot',
  emits: { knxip: VOCABULARY },
  udpPorts: [PORT],
  tcpPorts: [PORT],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (w.length < 6 || w.u8(0) !== 6 || (w.u8(1) !== 0x10 && w.u8(1) !== 0x20)) return false;
    const svc = w.u16(2);
    const total = w.u16(4);
    if (total < 6 || total > w.length || svc >> 8 < 2 || svc >> 8 > 9) return false;
    const f = ctx.flowState(p, 'knxip', newFlow);
    if (svc === 0x0201 || svc === 0x020b || svc === 0x0203) {
      if (f.once.first('search'))
        em.role(ctx, p, { end: 'src', field: 'SearchRequest', role: 'knxip-client', peer: null });
    } else if (svc === 0x0202 || svc === 0x020c || svc === 0x0204) {
      // Search responses put the control endpoint (HPAI, 8 bytes) before the device DIB.
      deviceDib(w, svc === 0x0204 ? 6 : 14, total, p, ctx, f);
    } else if (f.once.first('svc:' + (p.srcPort === PORT))) {
      em.role(ctx, p, {
        end: 'src',
        field: 'header',
        role: p.srcPort === PORT ? 'knxip-server' : 'knxip-client',
      });
    }
    return true;
  },
};

/** Device information DIB: length 0x36, type 1, medium, status, address, project id, serial, mcast, MAC, name. */
function deviceDib(w: ByteWindow, o: number, end: number, p: Packet, ctx: AppContext, f: KnxFlow): void {
  if (o + 54 > end || w.u8(o) < 54 || w.u8(o + 1) !== 1) return;
  const addr = w.u16(o + 4);
  const serial = hexBytes(w, o + 8, 6);
  const name = w.ascii(o + 24, 30).replace(/\0.*$/s, '');
  if (!f.once.first('dib:' + serial)) return;
  em.role(ctx, p, { end: 'src', field: 'DeviceInformationDIB', role: 'knxip-server', peer: null });
  em.identity(ctx, p, {
    end: 'src',
    field: 'DeviceInformationDIB.friendlyName',
    attr: 'product',
    value: name,
  });
  em.identity(ctx, p, {
    end: 'src',
    field: 'DeviceInformationDIB.serialNumber',
    attr: 'serial',
    value: serial,
  });
  em.attribute(ctx, p, {
    end: 'src',
    field: 'DeviceInformationDIB.individualAddress',
    key: 'knx.individual-address',
    value: (addr >> 12) + '.' + ((addr >> 8) & 0x0f) + '.' + (addr & 0xff),
  });
}
