import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { hex } from '../common/hex';
import { OnceSet } from '../common/once';
import { profinetVendorName } from './registries';
import { PNIO_CM_VOCABULARY, dissectPnioCm } from './pnio-cm';

/**
 * PROFINET on EtherType 0x8892 (IEC 61158-6-10): DCP (frame ids 0xfefc-0xfeff) Identify, Get, Set
 * and Hello with their blocks; RT cyclic frames only say "this station exchanges PROFINET I/O". The
 * IO context management RPC on UDP 34964 (Connect: `pn_io`) is read in pnio-cm.ts; all three parts
 * are one protocol, `profinet`, in a device's protocol list.
 */

/** Events DCP Set requests can carry; their severity and wording are in shared/alerts/policy.ts. */
export const EVENTS = [
  'ip-settings-change',
  'station-name-change',
  'pn-dcp-signal',
  'factory-reset',
] as const;

const em = new Emitter<typeof VOCABULARY>('pn_dcp');
const emRt = new Emitter<typeof RT_VOCABULARY>('pn_rt');

const FRAME_HELLO = 0xfefc;
const FRAME_GETSET = 0xfefd;
const FRAME_IDENT_REQ = 0xfefe;
const FRAME_IDENT_RES = 0xfeff;

const SVC_GET = 3;
const SVC_SET = 4;
const SVC_IDENTIFY = 5;
const SVC_HELLO = 6;

const MAX_BLOCKS = 32;

interface PnFlow {
  once: OnceSet;
}
const newFlow = (): PnFlow => ({ once: new OnceSet(256) });

/** What DCP observations can carry: rules are checked against it. */
/** Blocks a DCP Identify, Get, Hello or Set carries, each a field under its service's name. */
const DCP_SERVICES = ['Identify', 'Get', 'Hello', 'Set'] as const;
type DcpService = (typeof DCP_SERVICES)[number];
const DCP_BLOCKS = [
  'AliasName',
  'DeviceID.device',
  'DeviceID.vendor',
  'DeviceInstance',
  'DeviceOptions',
  'DeviceRole',
  'DeviceVendorValue',
  'IP',
  'NameOfStation',
  'OEMDeviceID',
] as const;

const VOCABULARY = {
  fields: [
    'Identify',
    'Identify.filter.NameOfStation',
    'Set.ResetFactory',
    'Set.Signal',
    ...DCP_SERVICES.flatMap((s) => DCP_BLOCKS.map((b) => `${s}.${b}` as const)),
  ],
  keys: {
    attribute: [
      'pn_dcp.alias-name',
      'pn_dcp.device-options',
      'pn_dcp.device-role',
      'pn_dcp.identify-filter-name',
      'pn_dcp.ip',
      'pn_dcp.oem-device-id',
    ],
    event: ['factory-reset', 'ip-settings-change', 'pn-dcp-signal', 'station-name-change'],
    identity: ['instance', 'product', 'product-code', 'station-name', 'vendor', 'vendor-id'],
    role: [
      'profinet-dcp-discovery',
      'profinet-io-controller',
      'profinet-io-device',
      'profinet-io-multidevice',
      'profinet-supervisor',
    ],
  },
} as const satisfies Vocabulary;
/** RT frames say only that a device exchanges cyclic I/O. */
const RT_VOCABULARY = {
  fields: ['cyclic'],
  keys: { role: ['profinet-io-peer'] },
} as const satisfies Vocabulary;

export const profinet: AppProtocol = {
  name: 'profinet',
  group: 'ot',
  emits: { pn_dcp: VOCABULARY, pn_rt: RT_VOCABULARY, pn_io: PNIO_CM_VOCABULARY },
  parts: ['pn_dcp', 'pn_rt', 'pn_io'],
  etherTypes: [0x8892],
  udpPorts: [34964],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (p.ipProto === 17) return dissectPnioCm(w, p, ctx);
    if (w.length < 2) return false;
    const frameId = w.u16(0);
    if (frameId >= FRAME_HELLO && frameId <= FRAME_IDENT_RES) return dcp(w, frameId, p, ctx);
    if (frameId >= 0x0100 && frameId < 0xfc00) {
      // Cyclic real-time data (RT class 1-3): the sender takes part in PROFINET I/O.
      const f = ctx.flowState(p, 'profinet', newFlow);
      if (f.once.first('rt:' + p.srcMac))
        emRt.role(ctx, p, { end: 'src', field: 'cyclic', role: 'profinet-io-peer' });
      return true;
    }
    return frameId >= 0xfc00; // alarms and other acyclic RT frames: recognised, nothing kept
  },
};

function dcp(w: ByteWindow, frameId: number, p: Packet, ctx: AppContext): boolean {
  if (w.length < 12) return false;
  const svc = w.u8(2);
  const type = w.u8(3);
  const dataLen = w.u16(10);
  if (svc < 1 || svc > 6 || type > 5) return false;
  const response = (type & 1) === 1;
  const end = Math.min(12 + dataLen, w.length);
  const f = ctx.flowState(p, 'profinet', newFlow);
  if (frameId === FRAME_IDENT_REQ && svc === SVC_IDENTIFY && !response) {
    if (f.once.first('ident-req:' + p.srcMac))
      em.role(ctx, p, { end: 'src', field: 'Identify', role: 'profinet-dcp-discovery', peer: null });
    blocks(w, 12, end, p, ctx, 'request', 'Identify');
    return true;
  }
  if (
    response &&
    (svc === SVC_IDENTIFY || svc === SVC_GET || svc === SVC_HELLO || frameId === FRAME_IDENT_RES)
  ) {
    blocks(w, 12, end, p, ctx, 'response', svc === SVC_GET ? 'Get' : 'Identify');
    return true;
  }
  if (svc === SVC_HELLO && frameId === FRAME_HELLO) {
    blocks(w, 12, end, p, ctx, 'response', 'Hello');
    return true;
  }
  if (svc === SVC_SET && !response && frameId === FRAME_GETSET) {
    blocks(w, 12, end, p, ctx, 'set', 'Set');
    return true;
  }
  return frameId === FRAME_GETSET;
}

type Mode = 'request' | 'response' | 'set';

/**
 * DCP blocks: option, suboption, length, then (in responses) 2 bytes of block info or (in Set
 * requests) a 2-byte qualifier before the value; blocks are padded to even length.
 */
function blocks(
  w: ByteWindow,
  o: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  mode: Mode,
  svc: DcpService,
): void {
  let roleBits = -1;
  for (let n = 0; n < MAX_BLOCKS && o + 4 <= end; n++) {
    const opt = w.u8(o);
    const sub = w.u8(o + 1);
    const len = w.u16(o + 2);
    const b = o + 4;
    const bEnd = Math.min(b + len, end);
    // Identify request filters carry no block info; response blocks and Set blocks do.
    const v = mode === 'request' ? b : b + 2;
    const vLen = bEnd - v;
    if (vLen >= 0) {
      const r = block(w, opt, sub, v, vLen, p, ctx, mode, svc);
      if (r >= 0) roleBits = r;
    }
    o = b + len + (len & 1);
  }
  if (mode === 'response' && roleBits >= 0) {
    if (roleBits & 0x01)
      em.role(ctx, p, { end: 'src', field: `${svc}.DeviceRole`, role: 'profinet-io-device', peer: null });
    if (roleBits & 0x02)
      em.role(ctx, p, { end: 'src', field: `${svc}.DeviceRole`, role: 'profinet-io-controller', peer: null });
    if (roleBits & 0x04)
      em.role(ctx, p, {
        end: 'src',
        field: `${svc}.DeviceRole`,
        role: 'profinet-io-multidevice',
        peer: null,
      });
    if (roleBits & 0x08)
      em.role(ctx, p, { end: 'src', field: `${svc}.DeviceRole`, role: 'profinet-supervisor', peer: null });
  }
}

function ip4(w: ByteWindow, o: number): string {
  return w.u8(o) + '.' + w.u8(o + 1) + '.' + w.u8(o + 2) + '.' + w.u8(o + 3);
}

/** One block. Returns the DeviceRole bits when the block is DeviceRole, else -1. */
function block(
  w: ByteWindow,
  opt: number,
  sub: number,
  v: number,
  len: number,
  p: Packet,
  ctx: AppContext,
  mode: Mode,
  svc: DcpService,
): number {
  const key = opt * 256 + sub;
  if (mode === 'set') {
    setBlock(w, key, v, len, p, ctx);
    return -1;
  }
  if (mode === 'request') {
    // An Identify filter naming a station: the requester looks for it; not the requester's own name.
    if (key === 0x0202 && len > 0) {
      em.attribute(ctx, p, {
        end: 'src',
        field: 'Identify.filter.NameOfStation',
        key: 'pn_dcp.identify-filter-name',
        value: w.ascii(v, len, 240),
      });
    }
    return -1;
  }
  switch (key) {
    case 0x0102:
    case 0x0103:
      if (len >= 12) {
        em.attribute(ctx, p, {
          end: 'src',
          field: `${svc}.IP`,
          key: 'pn_dcp.ip',
          value: ip4(w, v) + '/' + ip4(w, v + 4) + ' gw ' + ip4(w, v + 8),
        });
      }
      return -1;
    case 0x0201:
      em.identity(ctx, p, {
        end: 'src',
        field: `${svc}.DeviceVendorValue`,
        attr: 'product',
        value: w.ascii(v, len, 240),
      });
      return -1;
    case 0x0202:
      em.identity(ctx, p, {
        end: 'src',
        field: `${svc}.NameOfStation`,
        attr: 'station-name',
        value: w.ascii(v, len, 240),
      });
      return -1;
    case 0x0203:
      if (len >= 4) {
        const vendor = w.u16(v);
        em.identity(ctx, p, {
          end: 'src',
          field: `${svc}.DeviceID.vendor`,
          attr: 'vendor-id',
          value: hex(vendor, 4),
        });
        const name = profinetVendorName(vendor);
        if (name !== null)
          em.identity(ctx, p, { end: 'src', field: `${svc}.DeviceID.vendor`, attr: 'vendor', value: name });
        em.identity(ctx, p, {
          end: 'src',
          field: `${svc}.DeviceID.device`,
          attr: 'product-code',
          value: hex(w.u16(v + 2), 4),
        });
      }
      return -1;
    case 0x0204:
      if (len >= 1) {
        em.attribute(ctx, p, {
          end: 'src',
          field: `${svc}.DeviceRole`,
          key: 'pn_dcp.device-role',
          value: hex(w.u8(v), 2),
        });
        return w.u8(v);
      }
      return -1;
    case 0x0205: {
      const opts: string[] = [];
      for (let i = 0; i + 1 < len && i < 64; i += 2) opts.push(w.u8(v + i) + '.' + w.u8(v + i + 1));
      em.attribute(ctx, p, {
        end: 'src',
        field: `${svc}.DeviceOptions`,
        key: 'pn_dcp.device-options',
        value: opts.join(','),
      });
      return -1;
    }
    case 0x0206:
      em.attribute(ctx, p, {
        end: 'src',
        field: `${svc}.AliasName`,
        key: 'pn_dcp.alias-name',
        value: w.ascii(v, len, 240),
      });
      return -1;
    case 0x0207:
      if (len >= 2)
        em.identity(ctx, p, {
          end: 'src',
          field: `${svc}.DeviceInstance`,
          attr: 'instance',
          value: w.u8(v) + '.' + w.u8(v + 1),
        });
      return -1;
    case 0x0208:
      if (len >= 4)
        em.attribute(ctx, p, {
          end: 'src',
          field: `${svc}.OEMDeviceID`,
          key: 'pn_dcp.oem-device-id',
          value: hex(w.u16(v), 4) + ':' + hex(w.u16(v + 2), 4),
        });
      return -1;
    default:
      return -1;
  }
}

/** Set request blocks: the requester changes the target's address, name or state. */
function setBlock(w: ByteWindow, key: number, v: number, len: number, p: Packet, ctx: AppContext): void {
  switch (key) {
    case 0x0102:
    case 0x0103:
      if (len >= 12) {
        em.event(ctx, p, {
          end: 'src',
          field: 'Set.IP',
          event: 'ip-settings-change',
          facts: {
            ip: ip4(w, v),
            netmask: ip4(w, v + 4),
            gateway: ip4(w, v + 8),
          },
        });
      }
      return;
    case 0x0202:
      em.event(ctx, p, {
        end: 'src',
        field: 'Set.NameOfStation',
        event: 'station-name-change',
        facts: { name: w.ascii(v, len, 240) },
      });
      return;
    case 0x0503:
      em.event(ctx, p, { end: 'src', field: 'Set.Signal', event: 'pn-dcp-signal' });
      return;
    case 0x0505:
    case 0x0506:
      em.event(ctx, p, { end: 'src', field: 'Set.ResetFactory', event: 'factory-reset' });
      return;
    default:
  }
}
