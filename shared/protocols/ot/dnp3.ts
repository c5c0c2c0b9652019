import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { POLL_FIELD, POLL_KEYS, pairMeter, signature, statePeriod } from '../common/polling';
import { OnceSet } from '../common/once';

/**
 * DNP3 (IEEE 1815) over tcp/udp 20000: link frames (0x0564 start, length, control, addresses,
 * header CRC checked), master / outstation by the DIR bit, and the application function code of the
 * first fragment: restarts, writes, select / operate, direct operate as events.
 */

/** Events of application function codes; their severity and wording are in shared/alerts/policy.ts. */
export const EVENTS = [
  'dnp3-write',
  'dnp3-select',
  'dnp3-operate',
  'dnp3-direct-operate',
  'device-restart',
  'application-initialize',
  'application-start',
  'application-stop',
  'unsolicited-disabled',
  'file-open',
  'file-delete',
] as const;
type Dnp3Event = (typeof EVENTS)[number];

const em = new Emitter<typeof VOCABULARY>('dnp3');
const PORT = 20000;
const MAX_FRAMES = 16;
const REPORT_AT = new Set([1, 10, 100, 1000, 10000]);

/** DNP3 CRC-16: polynomial 0x3d65, reflected (0xa6bc), complemented, sent little-endian. */
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa6bc : c >>> 1;
    t[i] = c;
  }
  return t;
})();

function crcOk(w: ByteWindow, o: number, n: number): boolean {
  let c = 0;
  for (let i = 0; i < n; i++) c = (c >>> 8) ^ CRC_TABLE[(c ^ w.u8(o + i)) & 0xff]!;
  return (~c & 0xffff) === w.u16le(o + n);
}

/** Bytes on the wire for a frame whose length field is `len`: header + 16-byte blocks, each with a CRC. */
function frameSize(len: number): number {
  const user = len - 5;
  return 10 + user + 2 * Math.ceil(user / 16);
}

/** Function code -> its event, and whether it is counted (stated at 1, 10, 100... requests) or stated each time. */
const FUNCTIONS: Record<number, [Dnp3Event, boolean]> = {
  0x02: ['dnp3-write', true],
  0x03: ['dnp3-select', true],
  0x04: ['dnp3-operate', true],
  0x05: ['dnp3-direct-operate', true],
  0x06: ['dnp3-direct-operate', true],
  0x0d: ['device-restart', false],
  0x0e: ['device-restart', false],
  0x10: ['application-initialize', false],
  0x11: ['application-start', false],
  0x12: ['application-stop', false],
  0x15: ['unsolicited-disabled', false],
  0x19: ['file-open', false],
  0x1b: ['file-delete', false],
};

const FUNCTION_NAMES: Record<number, string> = {
  0x02: 'WRITE',
  0x03: 'SELECT',
  0x04: 'OPERATE',
  0x05: 'DIRECT_OPERATE',
  0x06: 'DIRECT_OPERATE_NR',
  0x0d: 'COLD_RESTART',
  0x0e: 'WARM_RESTART',
  0x10: 'INITIALIZE_APPL',
  0x11: 'START_APPL',
  0x12: 'STOP_APPL',
  0x15: 'DISABLE_UNSOLICITED',
  0x19: 'OPEN_FILE',
  0x1b: 'DELETE_FILE',
};

const FC_READ = 0x01;

interface Dnp3Flow {
  once: OnceSet;
  counts: Map<string, number>;
}
const newFlow = (): Dnp3Flow => ({ once: new OnceSet(64), counts: new Map() });

/** A link header at `o`: start bytes, a length of at least 5, and a matching header CRC. */
function validHeader(w: ByteWindow, o: number): boolean {
  return w.has(o, 10) && w.u16(o) === 0x0564 && w.u8(o + 2) >= 5 && crcOk(w, o, 8);
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: ['application.function', 'link', 'link.dir', 'link.dst', 'link.src', POLL_FIELD],
  keys: {
    attribute: ['dnp3.address', ...POLL_KEYS],
    event: [
      'application-initialize',
      'application-start',
      'application-stop',
      'device-restart',
      'dnp3-direct-operate',
      'dnp3-operate',
      'dnp3-select',
      'dnp3-write',
      'file-delete',
      'file-open',
      'unsolicited-disabled',
    ],
    role: ['dnp3-*', 'dnp3-master', 'dnp3-outstation'],
    service: ['dnp3'],
  },
} as const satisfies Vocabulary;

export const dnp3: AppProtocol = {
  name: 'dnp3',
  group: 'ot',
  emits: { dnp3: VOCABULARY },
  // Operate and write requests are events each time, repeats included.
  everyPacket: true,
  tcpPorts: [PORT],
  udpPorts: [PORT],

  heuristic(w: ByteWindow): boolean {
    return validHeader(w, 0);
  },

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (!validHeader(w, 0)) return false;
    const f = ctx.flowState(p, 'dnp3', newFlow);
    let o = 0;
    for (let n = 0; n < MAX_FRAMES && validHeader(w, o); n++) {
      frame(w, o, p, ctx, f);
      o += frameSize(w.u8(o + 2));
    }
    return true;
  },
};

function frame(w: ByteWindow, o: number, p: Packet, ctx: AppContext, f: Dnp3Flow): void {
  const len = w.u8(o + 2);
  const control = w.u8(o + 3);
  const dst = w.u16le(o + 4);
  const src = w.u16le(o + 6);
  const fromMaster = (control & 0x80) !== 0;
  const primary = (control & 0x40) !== 0;
  const me = fromMaster ? 'master' : 'outstation';
  if (f.once.first('addr:' + fromMaster + ':' + src)) {
    em.role(ctx, p, { end: 'src', field: 'link.dir', role: `dnp3-${me}` });
    em.attribute(ctx, p, { end: 'src', field: 'link.src', key: 'dnp3.address', value: String(src) });
    if (fromMaster)
      em.service(ctx, p, {
        end: 'dst',
        field: 'link',
        transport: p.ipProto === 6 ? 'tcp' : 'udp',
        port: PORT,
        name: 'dnp3',
      });
  }
  if (dst < 0xfff0 && f.once.first('peer:' + fromMaster + ':' + dst)) {
    em.attribute(ctx, p, { end: 'dst', field: 'link.dst', key: 'dnp3.address', value: String(dst) });
  }
  // User data: the transport header, application control and function code open the first block.
  if (!primary || len < 8 || !w.has(o + 10, 3)) return;
  const transport = w.u8(o + 10);
  if ((transport & 0x40) === 0) return; // not the first segment of a fragment
  const fc = w.u8(o + 12);
  // The pair is looked up per frame (not flowMeter): over UDP one flow may carry polls both ways.
  if (!fromMaster) {
    pairMeter(ctx, p, 'dnp3', 'dst').answer();
    return;
  }
  // Polling is READ (class and integrity polls); confirms, selects, operates and writes are not. A
  // read's signature: the outstation, the function and the object headers of the first block (not
  // the transport and application sequence numbers).
  if (fc === FC_READ) {
    const ms = pairMeter(ctx, p, 'dnp3', 'src').request(
      signature(w, o + 12, Math.min(16, len - 5) - 2, dst),
      p.ts,
    );
    if (ms > 0) statePeriod(em, ctx, p, ms, 'dst');
  }
  const ev = FUNCTIONS[fc];
  if (ev === undefined) return;
  const [event, counted] = ev;
  const name = FUNCTION_NAMES[fc] ?? 'function ' + fc;
  if (counted) {
    const c = (f.counts.get(name) ?? 0) + 1;
    if (f.counts.size < 32 || f.counts.has(name)) f.counts.set(name, c);
    if (!REPORT_AT.has(c)) return;
    em.event(ctx, p, {
      end: 'src',
      field: 'application.function',
      event,
      facts: { count: c, function: name, address: dst },
    });
    return;
  }
  em.event(ctx, p, {
    end: 'src',
    field: 'application.function',
    event,
    facts: { function: name, address: dst },
  });
}
