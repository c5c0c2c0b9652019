import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Decoder } from '../../../shared/decode/decoder';
import { LAYERS } from '../../../shared/decode/layers/index';
import { OT_PROTOCOLS } from '../../../shared/protocols/ot/index';
import { readCaptureFile } from '../../../src-main/capture/file-source';
import { PCAPS } from './corpus';

/** Captures that hold OT protocols (by MANIFEST protocol names and file prefixes). */
const OT_CAPTURE =
  /^(enip|multi-lan-enip|modbus|fuzz-modbus|s7comm|sll-s7comm|bacnet|vlan-qinq-bacnet|profinet|dnp3|fuzz-dnp3|iec104|opcua|mqtt|coap|ics-)/;
/** Non-OT captures that do carry an OT protocol (MANIFEST lists it). */
const KNOWN: Record<string, string[]> = {
  'multi-lan-s7-plant__iti-ics__wrapup.pcapng': ['c37118'],
};
const OT_NAMES = new Set(OT_PROTOCOLS.map((a) => a.name));
const MAX_FRAMES = 3000;

test('IT captures are not mistaken for OT protocols', async (t) => {
  if (!existsSync(PCAPS)) return t.skip('corpus absent');
  const files = readdirSync(PCAPS).filter((f) => /\.pcap(ng)?$/.test(f) && !OT_CAPTURE.test(f));
  const wrong: string[] = [];
  let frames = 0;
  for (const file of files) {
    const d = new Decoder(LAYERS, OT_PROTOCOLS);
    const claimed = new Set<string>();
    let n = 0;
    let counted = 0;
    try {
      await readCaptureFile(path.join(PCAPS, file), (data, lt, ts, wl, i) => {
        if (++n > MAX_FRAMES) return;
        counted++;
        const p = d.decode(data, lt, ts, n, wl, i);
        for (let k = 0; k < p.protoCount; k++) if (OT_NAMES.has(p.protos[k]!)) claimed.add(p.protos[k]!);
      });
    } catch {
      continue; // captures the reader refuses (the fuzzed file headers) are the reader's tests
    }
    frames += counted;
    assert.equal(d.stats.dissectorErrors, 0, file);
    for (const name of claimed) if (!(KNOWN[file] ?? []).includes(name)) wrong.push(`${file}: ${name}`);
  }
  t.diagnostic(`${files.length} non-OT captures, ${frames} frames checked`);
  assert.ok(frames > 10000);
  assert.deepEqual(wrong, []);
});
