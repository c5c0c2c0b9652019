import { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { hex, hexBytes } from '../common/hex';
import { OnceSet } from '../common/once';
import { wireText } from '../common/text';
import { hartManufacturerName } from './registries';

/**
 * HART-IP (FCG TS20085, tcp/udp 5094): an 8-byte header (version 1, message type, message id,
 * status, sequence number, byte count), then a body by message id. The side that sends requests is
 * the client (host / asset-management system), the answering side the HART-IP server (gateway,
 * multiplexer or field device). Identity from the answers to two universal commands, carried either
 * as a token-passing (pass-through) PDU, message id 3, the HART wire frame as is, or as a direct PDU,
 * message id 5 (HART-IP 2: 16-bit command numbers, no addressing): command 0 Read Unique Identifier
 * (expanded device type, manufacturer, device id, revisions) and command 20 Read Long Tag. The facts
 * are about the server that answered: a gateway relaying for several field devices gathers them all,
 * one set per HART long address (capped by the flow's OnceSet).
 */

const em = new Emitter<typeof VOCABULARY>('hart-ip');
const PORT = 5094;

const MSG_TOKEN_PASSING = 3;
const MSG_DIRECT = 5;
/** Message ids up to Read Audit Log (6); 4 is discovery. */
const MAX_MESSAGE_ID = 6;
/** Commands a direct PDU may list: more is a flood, not a request. */
const MAX_DIRECT_COMMANDS = 16;

interface HartFlow {
  once: OnceSet;
}
const newFlow = (): HartFlow => ({ once: new OnceSet(32) });

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'ReadLongTag.tag',
    'ReadUniqueIdentifier.deviceId',
    'ReadUniqueIdentifier.deviceRevision',
    'ReadUniqueIdentifier.expandedDeviceType',
    'ReadUniqueIdentifier.hardwareRevision',
    'ReadUniqueIdentifier.manufacturerId',
    'ReadUniqueIdentifier.softwareRevision',
    'ReadUniqueIdentifier.universalRevision',
    'header',
  ],
  keys: {
    attribute: ['hart.device-revision', 'hart.universal-revision'],
    identity: ['device-type-id', 'firmware', 'hardware', 'serial', 'station-name', 'vendor', 'vendor-id'],
    role: ['hart-ip-client', 'hart-ip-server'],
    service: ['hart-ip'],
  },
} as const satisfies Vocabulary;

const body = new ByteWindow();
const data = new ByteWindow();

/**
 * A command's response data (after the response code and, in a token-passing frame, the device
 * status): command 0's identifier fields or command 20's long tag, about the packet's source.
 */
function readResponse(
  cmd: number,
  d: ByteWindow,
  p: Packet,
  ctx: AppContext,
  f: HartFlow,
  addr: string,
): void {
  if (cmd === 0 && d.has(0, 12) && d.u8(0) === 254 && f.once.first('id:' + addr)) {
    const type = d.u16(1);
    const universal = d.u8(4);
    // HART 7 moved the manufacturer to a 16-bit field at 17; before, it was the type's first byte.
    const maker = d.has(17, 2) ? d.u16(17) : type >> 8;
    const at = { end: 'src', field: 'ReadUniqueIdentifier.' } as const;
    const say = (
      field:
        | 'manufacturerId'
        | 'expandedDeviceType'
        | 'deviceId'
        | 'softwareRevision'
        | 'hardwareRevision'
        | 'deviceRevision'
        | 'universalRevision',
      attr: 'vendor-id' | 'vendor' | 'device-type-id' | 'serial' | 'firmware' | 'hardware',
      v: string,
    ) => em.identity(ctx, p, { end: at.end, field: `${at.field}${field}` as const, attr, value: v });
    say('manufacturerId', 'vendor-id', String(maker));
    // The maker's name where a public document states its id; the number stays either way.
    const name = hartManufacturerName(maker);
    if (name !== null) say('manufacturerId', 'vendor', name);
    say('expandedDeviceType', 'device-type-id', hex(type, 4));
    say('deviceId', 'serial', hexBytes(d, 9, 3));
    say('softwareRevision', 'firmware', String(d.u8(6)));
    say('hardwareRevision', 'hardware', String(d.u8(7) >> 3));
    em.attribute(ctx, p, {
      end: 'src',
      field: 'ReadUniqueIdentifier.deviceRevision',
      key: 'hart.device-revision',
      value: String(d.u8(5)),
    });
    em.attribute(ctx, p, {
      end: 'src',
      field: 'ReadUniqueIdentifier.universalRevision',
      key: 'hart.universal-revision',
      value: String(universal),
    });
  } else if (cmd === 20 && d.has(0, 32) && f.once.first('tag:' + addr)) {
    em.identity(ctx, p, {
      end: 'src',
      field: 'ReadLongTag.tag',
      attr: 'station-name',
      value: wireText(d, 0, 32),
    });
  }
}

/** A token-passing PDU (the HART wire frame): preambles, delimiter, address, command, byte count, data. */
function tokenPassing(w: ByteWindow, p: Packet, ctx: AppContext, f: HartFlow): void {
  let o = 8;
  while (o < w.length && w.u8(o) === 0xff) o++;
  const delim = w.u8(o);
  const frameType = delim & 7;
  // Only answers carry identity: ACK (6) from a slave, BACK (1) in burst mode.
  if (frameType !== 6 && frameType !== 1) return;
  const addrLen = delim & 0x80 ? 5 : 1;
  const addr = hexBytes(w, o + 1, addrLen);
  o += 1 + addrLen + ((delim >> 5) & 3);
  const cmd = w.u8(o);
  const count = w.u8(o + 1);
  // Response code and device status, then the command's data.
  if (count < 2 || !w.has(o + 2, count) || w.u8(o + 2) !== 0) return;
  readResponse(cmd, w.sub(data, o + 4, count - 2), p, ctx, f, addr);
}

/** A direct PDU: device status, extended status, then commands (16-bit number, byte count, data). */
function direct(w: ByteWindow, p: Packet, ctx: AppContext, f: HartFlow): void {
  let o = 10;
  for (let n = 0; n < MAX_DIRECT_COMMANDS && w.has(o, 3); n++) {
    const cmd = w.u16(o);
    const count = w.u8(o + 2);
    if (!w.has(o + 3, count)) return;
    // A response's data starts with its response code; 0 is success.
    if (count >= 1 && w.u8(o + 3) === 0)
      readResponse(cmd, w.sub(data, o + 4, count - 1), p, ctx, f, 'direct');
    o += 3 + count;
  }
}

export const hartip: AppProtocol = {
  name: 'hart-ip',
  group: 'ot',
  emits: { 'hart-ip': VOCABULARY },
  tcpPorts: [PORT],
  udpPorts: [PORT],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (w.length < 8 || w.u8(0) !== 1) return false;
    const type = w.u8(1);
    const id = w.u8(2);
    const count = w.u16(6);
    if ((type > 3 && type !== 15) || id > MAX_MESSAGE_ID || count < 8 || count > w.length + 1460)
      return false;
    if (p.ipProto === 17 && count !== w.length) return false;
    const f = ctx.flowState(p, 'hart-ip', newFlow);
    if (type === 0 && f.once.first('req')) {
      em.role(ctx, p, { end: 'src', field: 'header', role: 'hart-ip-client' });
      em.role(ctx, p, { end: 'dst', field: 'header', role: 'hart-ip-server' });
      em.service(ctx, p, {
        end: 'dst',
        field: 'header',
        transport: p.ipProto === 6 ? 'tcp' : 'udp',
        port: PORT,
        name: 'hart-ip',
      });
    }
    // Responses (type 1) only; the body is the header's byte count, no more.
    if (type === 1 && count <= w.length) {
      w.sub(body, 0, count);
      if (id === MSG_TOKEN_PASSING) tokenPassing(body, p, ctx, f);
      else if (id === MSG_DIRECT) direct(body, p, ctx, f);
    }
    return true;
  },
};
