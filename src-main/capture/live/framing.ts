/**
 * The byte stream from the capture helper to the app (helper stdout -> parent), little-endian.
 *
 * Every record starts with
 *   u32 len    bytes that follow this field (so a record is 4 + len bytes)
 *   u8  type
 * FRAME (type 1), 24-byte header then the frame:
 *   u32 len | u8 type=1 | u8 flags | u16 iface | u16 linkType | u16 reserved=0 | f64 tsMs | u32 wireLen | bytes
 *   flags bit 0: the frame was cut to the snap length (capLen < wireLen).
 *   iface is the index of the interface in the config's list; linkType a pcap LINKTYPE_ value;
 *   tsMs milliseconds since the epoch (fractional); capLen = len - 20.
 * STATUS (2), STATS (3), ERROR (4): u32 len | u8 type | UTF-8 JSON of HelperStatus / HelperStats /
 *   LiveError. Rare (once a second at most for stats), so JSON costs nothing that matters.
 *
 * The helper batches records and writes once per event-loop turn, not once per packet. A record is
 * at most MAX_RECORD bytes; anything longer means the stream is corrupt and the helper is stopped.
 */
import type { LiveError } from './errors';

export const REC_FRAME = 1;
export const REC_STATUS = 2;
export const REC_STATS = 3;
export const REC_ERROR = 4;

export const FRAME_HEADER = 24;
export const FLAG_SNAPPED = 1;
/** Frames are at most 65535 bytes (cap's snaplen); control JSON is small. */
export const MAX_RECORD = 1 << 20;

export interface OpenedInterface {
  index: number;
  name: string;
  linkType: number;
  /** cap's name for it ('ETHERNET', ...), for display. */
  linkTypeName: string;
}

export type HelperStatus =
  | { kind: 'started'; pid: number; interfaces: OpenedInterface[]; filter: string; snaplen: number }
  | { kind: 'interfaces'; interfaces: unknown[] }
  | { kind: 'stopping'; reason: string };

/** Counters for one interface, cumulative since the capture started. */
export interface InterfaceStats {
  index: number;
  name: string;
  /** Frames libpcap handed to the helper (after the BPF filter). */
  packets: number;
  bytes: number;
  /** Frames the helper had to drop because the app did not read fast enough. */
  queueDrops: number;
  /** Frames cut to the snap length. */
  snapped: number;
  /**
   * pcap_stats() counters. Always null: cap 0.2.1 does not expose pcap_stats(), so socket-buffer
   * drops (ps_drop) cannot be read. Kept in the record so the UI and the format need not change
   * when the binding gains it.
   */
  pcap: { recv: number; drop: number; ifdrop: number } | null;
  /**
   * The kernel's counters for the whole interface (/sys/class/net/<if>/statistics), as deltas since
   * the capture started: rx_dropped is the nearest thing to ps_ifdrop. Null where sysfs has none.
   */
  kernel: { rxPackets: number; txPackets: number; rxDropped: number; rxMissed: number } | null;
  /**
   * Without a filter pcap should see every frame the interface received or sent, so
   * rx + tx - packets estimates the frames lost between the kernel and us (what ps_drop would say).
   * Null with a filter or without kernel counters. Frames still queued in the ring count as missed
   * until read, so it is exact only in the final record or when traffic pauses.
   */
  missedEstimate: number | null;
}

export interface HelperStats {
  /** Milliseconds since the epoch when the counters were read. */
  ts: number;
  final: boolean;
  interfaces: InterfaceStats[];
}

export type ControlRecord =
  | { type: typeof REC_STATUS; value: HelperStatus }
  | { type: typeof REC_STATS; value: HelperStats }
  | { type: typeof REC_ERROR; value: LiveError };

/** Writes one FRAME record into `out` at `o`; returns the new offset. `out` must have room. */
export function writeFrame(
  out: Buffer,
  o: number,
  iface: number,
  linkType: number,
  tsMs: number,
  wireLen: number,
  data: Uint8Array,
  capLen: number,
): number {
  out.writeUInt32LE(FRAME_HEADER - 4 + capLen, o);
  out[o + 4] = REC_FRAME;
  out[o + 5] = capLen < wireLen ? FLAG_SNAPPED : 0;
  out.writeUInt16LE(iface, o + 6);
  out.writeUInt16LE(linkType, o + 8);
  out.writeUInt16LE(0, o + 10);
  out.writeDoubleLE(tsMs, o + 12);
  out.writeUInt32LE(wireLen, o + 20);
  out.set(data.subarray(0, capLen), o + FRAME_HEADER);
  return o + FRAME_HEADER + capLen;
}

export function encodeControl(type: ControlRecord['type'], value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  const out = Buffer.allocUnsafe(5 + json.length);
  out.writeUInt32LE(1 + json.length, 0);
  out[4] = type;
  json.copy(out, 5);
  return out;
}

export interface FrameSink {
  /** `data` is a view into the parser's chunk: valid only during the call. */
  frame(data: Buffer, linkType: number, tsMs: number, wireLen: number, iface: number): void;
  control(rec: ControlRecord): void;
  /** The stream is corrupt; the parser stops. */
  corrupt(why: string): void;
}

/**
 * Parses the helper's stdout. Records may be split anywhere across chunks; only the unfinished tail
 * of a chunk is kept (and copied), whole records are handed out as views without copying.
 */
export class FrameParser {
  private tail: Buffer | null = null;
  private dead = false;

  constructor(private readonly sink: FrameSink) {}

  /**
   * An exception thrown by the sink does not desynchronise the stream: parsing finishes the chunk,
   * then the first exception is rethrown.
   */
  push(chunk: Buffer): void {
    if (this.dead) return;
    let thrown: { e: unknown } | null = null;
    let buf = chunk;
    if (this.tail !== null) {
      buf = Buffer.concat([this.tail, chunk]);
      this.tail = null;
    }
    let o = 0;
    while (buf.length - o >= 5) {
      const len = buf.readUInt32LE(o);
      if (len < 1 || len > MAX_RECORD) return this.fail(`record length ${len}`);
      if (buf.length - o - 4 < len) break;
      const type = buf[o + 4]!;
      const end = o + 4 + len;
      if (type === REC_FRAME) {
        if (len < FRAME_HEADER - 4) return this.fail('short frame record');
        try {
          this.sink.frame(
            buf.subarray(o + FRAME_HEADER, end),
            buf.readUInt16LE(o + 8),
            buf.readDoubleLE(o + 12),
            buf.readUInt32LE(o + 20),
            buf.readUInt16LE(o + 6),
          );
        } catch (e) {
          thrown ??= { e };
        }
      } else if (type === REC_STATUS || type === REC_STATS || type === REC_ERROR) {
        let value: unknown;
        try {
          value = JSON.parse(buf.toString('utf8', o + 5, end));
        } catch {
          return this.fail(`unreadable control record of type ${type}`);
        }
        if (typeof value !== 'object' || value === null) return this.fail(`control record of type ${type}`);
        try {
          this.sink.control({ type, value } as ControlRecord);
        } catch (e) {
          thrown ??= { e };
        }
      } else {
        return this.fail(`unknown record type ${type}`);
      }
      o = end;
    }
    if (o < buf.length) this.tail = Buffer.from(buf.subarray(o));
    if (thrown !== null) throw thrown.e;
  }

  /** Bytes of an unfinished record held back (non-zero at end of stream means a truncated stream). */
  get pending(): number {
    return this.tail?.length ?? 0;
  }

  private fail(why: string): void {
    this.dead = true;
    this.tail = null;
    this.sink.corrupt(why);
  }
}

/** Frames the kernel dropped on one interface: pcap_stats' drop and ifdrop (native helper), else the
 * Node helper's sysfs estimate. */
export function kernelDrops(i: InterfaceStats): number {
  if (i.pcap !== null) return i.pcap.drop + i.pcap.ifdrop;
  return i.missedEstimate ?? 0;
}

/** Every frame lost before analysis: the kernel's drops and our helper's queue drops, all interfaces. */
export function totalDrops(s: HelperStats): number {
  return s.interfaces.reduce((n, i) => n + kernelDrops(i) + i.queueDrops, 0);
}
