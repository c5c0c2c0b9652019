// The one pcap writer (src-main/capture/pcap-writer.ts): what it writes through a small reused buffer,
// frames larger than the buffer included, reads back frame for frame in our parser and in tshark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureParser } from '../../shared/capture/parser';
import { PcapWriter, pcapBytes, writePcapFile, type PcapOptions } from '../helpers/pcap-writer';
import { Rng } from '../helpers/random';
import { tshark, tsharkAvailable } from '../helpers/tshark';

/** 300 frames of 0 to 3000 bytes (many longer than the 1024-byte buffer below), 1.25 ms apart. */
const rng = new Rng(7);
const FRAMES = Array.from({ length: 300 }, () => rng.bytes(rng.int(0, 3000)));
const T0 = 1_700_000_000_000;

function fill(w: PcapWriter): void {
  FRAMES.forEach((f, i) => w.addMs(f, T0 + i * 1.25, f.length + (i % 3)));
}

function readBack(bytes: Uint8Array) {
  const got: { data: Uint8Array; linkType: number; ts: number; wireLen: number }[] = [];
  const p = new CaptureParser((data, linkType, ts, wireLen) =>
    got.push({ data: Uint8Array.from(data), linkType, ts, wireLen }),
  );
  p.push(bytes);
  p.end();
  return { got, warnings: p.warnings };
}

for (const o of [{}, { bigEndian: true }, { nano: true }, { bigEndian: true, nano: true }] as PcapOptions[])
  test(`pcap writer ${JSON.stringify(o)}: every frame, length and time reads back`, () => {
    const chunks: number[] = [];
    const parts: Buffer[] = [];
    // A tiny buffer: the writer must flush often and hand oversized frames to the sink as they are.
    const w = new PcapWriter(
      (c) => (chunks.push(c.length), parts.push(Buffer.from(c))),
      { ...o, linkType: 1 },
      1024,
    );
    fill(w);
    w.flush();
    assert.equal(w.count, FRAMES.length);
    assert.ok(chunks.length > 100 && Math.max(...chunks) > 1024, `chunks ${chunks.length}`);
    const bytes = Buffer.concat(parts);
    // One writer, whatever its buffer: the same file as the tests' records-to-bytes helper writes.
    const recs = FRAMES.map((data, i) => ({ data, ts: T0 + i * 1.25, origLen: data.length + (i % 3) }));
    assert.deepEqual(bytes, pcapBytes(1, recs, o));
    const { got, warnings } = readBack(bytes);
    assert.deepEqual(warnings, []);
    assert.equal(got.length, FRAMES.length);
    got.forEach((g, i) => {
      assert.deepEqual(g.data, FRAMES[i], `frame ${i + 1}`);
      assert.equal(g.linkType, 1);
      assert.equal(g.wireLen, FRAMES[i]!.length + (i % 3));
      assert.equal(g.ts, T0 + i * 1.25, `frame ${i + 1} time`);
    });
  });

test('pcap writer to a file: tshark reads every frame and its length', (t) => {
  if (!tsharkAvailable()) return t.skip('tshark is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'gp-writer-'));
  try {
    const file = join(dir, 'w.pcap');
    assert.equal(writePcapFile(file, { snaplen: 65535 }, fill), FRAMES.length);
    assert.equal(readFileSync(file).readUInt32LE(16), 65535);
    const rows = tshark(['-r', file, '-T', 'fields', '-e', 'frame.cap_len', '-e', 'frame.len'])
      .trim()
      .split('\n');
    assert.deepEqual(
      rows,
      FRAMES.map((f, i) => `${f.length}\t${f.length + (i % 3)}`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
