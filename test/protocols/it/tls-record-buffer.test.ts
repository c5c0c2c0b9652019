import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../../shared/decode/decoder';
import { LAYERS } from '../../../shared/decode/layers/index';
import { LINKTYPE_ETHERNET } from '../../../shared/decode/linktypes';
import { tls } from '../../../shared/protocols/it/tls';
import { directionKey, type StreamBuf, type TwoDirections } from '../../../shared/protocols/it/stream';
import { tcpFrame } from '../../helpers/packets';

const CLIENT = { mac: '02:00:00:00:00:50', ip: '10.0.0.50', port: 50500 };
const SERVER = { mac: '02:00:00:00:00:51', ip: '10.0.0.51', port: 443 };

/** A handshake record of `len` bytes (one handshake message of a type nobody reads). */
function record(len: number): Uint8Array {
  const r = new Uint8Array(5 + len);
  r.set([22, 3, 3, len >> 8, len & 0xff, 99, 0, (len - 4) >> 8, (len - 4) & 0xff]);
  return r;
}

/** The record buffer's size after each segment of `r` cut at `cuts`. */
function bufferSizes(r: Uint8Array, cuts: number[]): number[] {
  const d = new Decoder(LAYERS, [tls], 65536, 0, true);
  const sizes: number[] = [];
  let at = 0;
  for (const [i, end] of [...cuts, r.length].entries()) {
    const b = Uint8Array.from(tcpFrame(SERVER, CLIENT, r.subarray(at, end)));
    d.decode(b, LINKTYPE_ETHERNET, 1_700_000_000_000 + i, i + 1, b.length);
    at = end;
    const f = d.flows.get(d.packet, false)?.state?.get('tls') as { dirs: TwoDirections<{ rec: StreamBuf }> };
    const dir = f.dirs.get(directionKey(d.packet))!;
    sizes.push(dir.rec.data.length);
  }
  return sizes;
}

test('TLS: a record split across segments is kept in one buffer sized from its header', () => {
  // 6005 bytes in three segments: one buffer of 6005 (doubling made 2048, 4096 and 8192), none after.
  assert.deepEqual(bufferSizes(record(6000), [1400, 2800]), [6005, 6005, 0]);
  // A short record takes the first size append() would take.
  assert.deepEqual(bufferSizes(record(600), [100]), [2048, 2048]);
  // Capped: the largest record a peer may send (16384 + 2048) fits within the direction's cap.
  assert.deepEqual(bufferSizes(record(18432), [1400]).slice(0, 1), [18437]);
});
