import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Decoder } from '../../../shared/decode/decoder';
import { LAYERS } from '../../../shared/decode/layers/index';
import { OT_PROTOCOLS } from '../../../shared/protocols/ot/index';
import { readCaptureFile } from '../../../src-main/capture/file-source';
import { PCAPS, corpusFiles } from './corpus';
import { randomBytes } from '../../helpers/random';

/**
 * Wireshark's fuzz-test idea (editcap -E): corrupt real OT captures byte by byte and replay them.
 * Every corrupted frame goes through the whole pipeline; no dissector may throw.
 */
const FILES = corpusFiles([
  'enip',
  'modbus',
  's7comm',
  'bacnet',
  'profinet',
  'dnp3',
  'iec104',
  'opcua',
  'ics-',
  'mqtt',
  'coap',
  'fuzz-modbus',
  'fuzz-dnp3',
  'sll-s7commplus',
]);

test('corrupted OT captures never make a dissector throw', async (t) => {
  if (FILES.length === 0) return t.skip('corpus absent');
  const d = new Decoder(LAYERS, OT_PROTOCOLS);
  let observations = 0;
  d.onObservation = () => observations++;
  let frames = 0;
  let seed = 1;
  for (const file of FILES) {
    let n = 0;
    await readCaptureFile(path.join(PCAPS, file), (data, linkType, ts, wireLen, iface) => {
      if (n++ > 400) return;
      for (let k = 0; k < 3; k++) {
        const noise = randomBytes(seed++, data.length);
        const b = Uint8Array.from(data);
        // Corrupt about 2 % of the bytes past the link header, and sometimes cut the frame.
        for (let i = 14; i < b.length; i++) if (noise[i]! < 5) b[i] = noise[(i * 7) % noise.length]!;
        const cut = k === 2 ? b.subarray(0, Math.max(14, b.length - (noise[0]! % 40))) : b;
        d.decode(cut, linkType, ts, ++frames, wireLen, iface);
      }
    });
  }
  t.diagnostic(`${frames} corrupted frames, ${observations} observations`);
  assert.equal(d.stats.dissectorErrors, 0);
  assert.ok(frames > 1000);
});
