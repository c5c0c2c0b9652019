// A small engine host for the store tests: a real Analyzer (every dissector), change stream, store
// on a database file in a temp folder, and recorder; frames are fed by hand, ticks are explicit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAYERS } from '../../shared/decode/layers';
import { LINKTYPE_ETHERNET } from '../../shared/decode/linktypes';
import { Analyzer } from '../../shared/engine/analyzer';
import { IT_PROTOCOLS } from '../../shared/protocols/it/index';
import { OT_PROTOCOLS } from '../../shared/protocols/ot/index';
import { Recorder, type RecorderOptions } from '../../src-main/store/recorder';
import { Store, type CommitResult, type StoreOptions } from '../../src-main/store/store';
import {
  arp,
  concat,
  ethernet,
  ip4,
  mac,
  tcpFrame,
  u16,
  u32,
  udpFrame,
  type Bytes,
} from '../helpers/packets';

export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
export const MIN = 60_000;

export function tempDb(name = 'store'): string {
  return join(mkdtempSync(join(tmpdir(), 'gp-store-')), name + '.db');
}

export class Session {
  readonly analyzer = new Analyzer({ layers: LAYERS, apps: [...OT_PROTOCOLS, ...IT_PROTOCOLS] });
  readonly store: Store;
  readonly rec: Recorder;

  constructor(path: string, o: RecorderOptions & StoreOptions = {}) {
    this.store = new Store(path, o);
    this.rec = new Recorder(this.analyzer, this.store, o);
  }

  /** One tick of the recorder: what the store committed, or null when nothing changed. */
  tick(): CommitResult | null {
    return this.rec.tick()?.stored ?? null;
  }

  feed(frames: readonly { data: Bytes; ts: number; linkType?: number }[]): this {
    for (const f of frames)
      this.analyzer.frame(f.data, f.linkType ?? LINKTYPE_ETHERNET, f.ts, f.data.length, 0);
    return this;
  }

  close(): void {
    this.rec.stop();
    this.store.close();
  }
}

export interface Host {
  mac: string;
  ip: string;
}

export function host(n: number): Host {
  return { mac: `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`, ip: `10.0.0.${n}` };
}

/** A UDP datagram from a to b (both hosts appear, each with its address). */
export function chat(a: Host, b: Host, ts: number, port = 9999): { data: Bytes; ts: number } {
  return { data: udpFrame({ ...a, port: 40000 }, { ...b, port }, Uint8Array.from([1, 2, 3, 4])), ts };
}

/** A gratuitous ARP: `h` claims its address. */
export function announce(h: Host, ts: number): { data: Bytes; ts: number } {
  return {
    data: ethernet('ff:ff:ff:ff:ff:ff', h.mac, 0x0806, arp(2, h.mac, h.ip, 'ff:ff:ff:ff:ff:ff', h.ip)),
    ts,
  };
}

/** A DHCP OFFER from `server` to a client MAC. */
export function dhcpOffer(server: Host, client: string, ts: number): { data: Bytes; ts: number } {
  const opt = (code: number, d: number[]) => [code, d.length, ...d];
  const bootp = concat(
    [2, 1, 6, 0],
    u32(0x1234),
    u16(0),
    u16(0),
    ip4('0.0.0.0'),
    ip4('10.0.0.200'),
    ip4(server.ip),
    ip4('0.0.0.0'),
    mac(client),
    new Array(10 + 64 + 128).fill(0),
    u32(0x63825363),
    opt(53, [2]),
    opt(54, ip4(server.ip)),
    [255],
  );
  return { data: udpFrame({ ...server, port: 67 }, { mac: client, ip: '10.0.0.200', port: 68 }, bootp), ts };
}

/** Modbus/TCP from a client to a PLC: `pdu` is the function code and its data. */
export function modbus(client: Host, plc: Host, pdu: number[], ts: number): { data: Bytes; ts: number } {
  const adu = concat(u16(7), u16(0), u16(pdu.length + 1), [1], pdu);
  return { data: tcpFrame({ ...client, port: 50123 }, { ...plc, port: 502 }, adu, { flags: 0x18 }), ts };
}

/** Modbus diagnostics "restart communications": an OT event of high severity. */
export const MODBUS_RESTART = [0x08, 0x00, 0x01, 0x00, 0x00];
