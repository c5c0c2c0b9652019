import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CaptureParser } from '../../shared/capture/parser';
import { readCaptureFile, CaptureFileError } from '../../src-main/capture/file-source';
import { pcapBytes } from '../helpers/pcap-writer';
import { PcapngWriter } from '../helpers/pcapng-writer';
import { arp, ethernet } from '../helpers/packets';

interface Got {
  data: number[];
  linkType: number;
  ts: number;
  wireLen: number;
  iface: number;
}

function parseAll(bytes: Uint8Array, chunk = bytes.length): { got: Got[]; p: CaptureParser } {
  const got: Got[] = [];
  const p = new CaptureParser((d, linkType, ts, wireLen, iface) =>
    got.push({ data: [...d], linkType, ts, wireLen, iface }),
  );
  for (let o = 0; o < bytes.length; o += chunk) p.push(bytes.subarray(o, o + chunk));
  p.end();
  return { got, p };
}

const frameA = ethernet(
  'ff:ff:ff:ff:ff:ff',
  '00:11:22:33:44:55',
  0x0806,
  arp(1, '00:11:22:33:44:55', '10.0.0.1', '00:00:00:00:00:00', '10.0.0.2'),
);
const frameB = Uint8Array.from({ length: 60 }, (_, i) => (i * 7) & 0xff);
const tmp = mkdtempSync(join(tmpdir(), 'gp-parser-'));

for (const bigEndian of [false, true]) {
  for (const nano of [false, true]) {
    test(`classic pcap, ${bigEndian ? 'big' : 'little'}-endian, ${nano ? 'nano' : 'micro'}seconds`, () => {
      const ts1 = 1_600_000_000_123.456;
      const bytes = pcapBytes(
        1,
        [
          { data: frameA, ts: ts1 },
          { data: frameB, ts: ts1 + 1000.001, origLen: 1514 },
        ],
        { bigEndian, nano },
      );
      const { got, p } = parseAll(bytes);
      assert.equal(p.format, 'pcap');
      assert.equal(got.length, 2);
      assert.deepEqual(got[0]!.data, [...frameA]);
      assert.deepEqual(got[1]!.data, [...frameB]);
      assert.equal(got[1]!.wireLen, 1514);
      assert.equal(got[0]!.linkType, 1);
      assert.ok(Math.abs(got[0]!.ts - ts1) < (nano ? 1e-3 : 1e-2), `ts ${got[0]!.ts}`);
      assert.ok(Math.abs(got[1]!.ts - got[0]!.ts - 1000.001) < (nano ? 1e-3 : 1e-2));
      assert.deepEqual(p.warnings, []);
    });
  }
}

test('records straddling chunk boundaries come out whole, at every chunk size', () => {
  const bytes = pcapBytes(1, [{ data: frameA }, { data: frameB }, { data: frameA }]);
  const whole = parseAll(bytes).got;
  for (const chunk of [1, 2, 3, 5, 7, 16, 17, 61]) {
    assert.deepEqual(parseAll(bytes, chunk).got, whole, `chunk ${chunk}`);
  }
});

test('a truncated last record ends the read with a warning and keeps the frames before it', () => {
  const bytes = pcapBytes(1, [{ data: frameA }, { data: frameB }]);
  const { got, p } = parseAll(bytes.subarray(0, bytes.length - 10));
  assert.equal(got.length, 1);
  assert.match(p.warnings.join(), /truncated record.*1 frames/);
});

test('an implausible record length stops the read with a warning, frames kept', () => {
  const bytes = Buffer.from(pcapBytes(1, [{ data: frameA }, { data: frameB }]));
  bytes.writeUInt32LE(0x7fffffff, 24 + 16 + frameA.length + 8);
  const { got, p } = parseAll(bytes);
  assert.equal(got.length, 1);
  assert.match(p.warnings.join(), /implausible/);
});

test('bytes that are not a capture are refused', () => {
  const { got, p } = parseAll(Buffer.from('%PDF-1.7 this is not a capture file at all'));
  assert.equal(got.length, 0);
  assert.ok(p.notCapture);
});

test('pcapng: two sections of opposite byte order, interfaces with their own link types and resolutions', () => {
  const w = new PcapngWriter()
    .section(true)
    .iface({ linkType: 1, tsresol: 6, name: 'eth0' })
    .iface({ linkType: 101, tsresol: 9 })
    .epb(0, 1_700_000_000_000_000n, frameA)
    .nrb([10, 0, 0, 1], 'plc-1.plant.example')
    .unknown(0x0bad, Buffer.from('skip me'))
    .epb(1, 1_700_000_001_000_000_000n, frameB, 200)
    .isb(0, 42)
    .section(false)
    .iface({ linkType: 113, tsresol: 0x80 | 10 })
    .epb(0, 1024n * 5n, frameB)
    .spb(frameA);
  const { got, p } = parseAll(w.bytes());
  assert.equal(p.format, 'pcapng');
  assert.deepEqual(p.warnings, []);
  assert.equal(got.length, 4);
  assert.deepEqual(
    got.map((g) => [g.linkType, g.iface]),
    [
      [1, 0],
      [101, 1],
      [113, 0],
      [113, 0],
    ],
  );
  assert.equal(got[0]!.ts, 1_700_000_000_000);
  assert.equal(got[1]!.ts, 1_700_000_001_000);
  assert.equal(got[1]!.wireLen, 200);
  assert.equal(got[2]!.ts, 5000);
  assert.deepEqual(got[3]!.data, [...frameA]);
  assert.deepEqual(p.names, [{ ip: '10.0.0.1', name: 'plc-1.plant.example' }]);
  assert.equal(p.interfaces.length, 1, 'second section has its own interface list');
});

test('pcapng: statistics block drop counts are kept for the interface', () => {
  const w = new PcapngWriter().section(true).iface({ linkType: 1 }).epb(0, 1n, frameA).isb(0, 42);
  const { p } = parseAll(w.bytes());
  assert.equal(p.interfaces[0]!.drops, 42);
  assert.equal(p.interfaces[0]!.linkType, 1);
});

test('pcapng: a block whose lengths disagree stops the read, frames kept', () => {
  const b = new PcapngWriter()
    .section(true)
    .iface({ linkType: 1 })
    .epb(0, 1n, frameA)
    .epb(0, 2n, frameB)
    .bytes();
  const secondEpb = b.length - (12 + 20 + 60);
  b.writeUInt32LE(0xdead, b.length - 4);
  const { got, p } = parseAll(b);
  assert.ok(secondEpb > 0);
  assert.equal(got.length, 1);
  assert.match(p.warnings.join(), /trailing length/);
});

test('readCaptureFile reads gzip-compressed captures', async () => {
  const path = join(tmp, 'a.pcap.gz');
  writeFileSync(path, gzipSync(pcapBytes(1, [{ data: frameA }, { data: frameB }])));
  const seen: number[] = [];
  const r = await readCaptureFile(path, (d) => seen.push(d.length));
  assert.equal(r.gzip, true);
  assert.equal(r.frames, 2);
  assert.deepEqual(seen, [frameA.length, frameB.length]);
});

test('readCaptureFile keeps what it got from a cut-off gzip stream and says so', async () => {
  const recs = Array.from({ length: 2000 }, (_, i) => ({
    data: Uint8Array.from({ length: 200 }, (_, j) => (i * 31 + j * 17) & 0xff),
  }));
  const gz = gzipSync(pcapBytes(1, recs));
  const path = join(tmp, 'cut.pcap.gz');
  writeFileSync(path, gz.subarray(0, Math.floor(gz.length * 0.6)));
  let n = 0;
  const r = await readCaptureFile(path, () => n++);
  assert.ok(n > 100 && n < 2000, `frames ${n}`);
  assert.equal(r.frames, n);
  assert.match(r.warnings.join(), /compressed data ends early|truncated/);
});

test('readCaptureFile errors say what is wrong', async () => {
  await assert.rejects(
    readCaptureFile(join(tmp, 'nope.pcap'), () => {}),
    (e: unknown) => e instanceof CaptureFileError && e.code === 'not-found',
  );
  const dir = join(tmp, 'dir');
  mkdirSync(dir);
  await assert.rejects(
    readCaptureFile(dir, () => {}),
    (e: unknown) => e instanceof CaptureFileError && e.code === 'is-directory',
  );
  const txt = join(tmp, 'notes.txt');
  writeFileSync(txt, 'hello, I am a text file and not a capture\n');
  await assert.rejects(
    readCaptureFile(txt, () => {}),
    (e: unknown) =>
      e instanceof CaptureFileError && e.code === 'not-a-capture' && /not a capture file/.test(e.message),
  );
});

test('a large capture streams in bounded memory', async () => {
  // 256 MB of records: memory must not grow with the file.
  const path = join(tmp, 'big.pcap');
  const fd = openSync(path, 'w');
  const rec = pcapBytes(
    1,
    Array.from({ length: 4096 }, () => ({ data: frameB.length === 60 ? new Uint8Array(1000) : frameB })),
  );
  writeSync(fd, rec);
  const body = rec.subarray(24);
  for (let i = 0; i < 63; i++) writeSync(fd, body);
  closeSync(fd);
  const before = process.memoryUsage().rss;
  let peak = before;
  let frames = 0;
  const r = await readCaptureFile(path, () => {
    if ((++frames & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  });
  assert.equal(r.frames, 4096 * 64);
  assert.ok(
    peak - before < 128 * 1024 * 1024,
    `rss grew by ${((peak - before) / 1e6).toFixed(0)} MB for a 268 MB file`,
  );
});

test('readCaptureFile reads a capture of many read buffers whole: frames straddling the 4 MB reads, in order', async () => {
  // About 13 MB: four reads, with every record boundary falling somewhere new. Each frame carries its
  // number and a pattern of its own, so a frame served from a buffer the next read had overwritten
  // would show.
  const frames = 16000;
  const recs = Array.from({ length: frames }, (_, i) => {
    const len = 60 + ((i * 977) % 1500);
    const data = new Uint8Array(len);
    for (let j = 0; j < len; j++) data[j] = (i * 13 + j * 7) & 0xff;
    new DataView(data.buffer).setUint32(0, i);
    return { data };
  });
  const path = join(tmp, 'big.pcap');
  const bytes = pcapBytes(1, recs);
  assert.ok(bytes.length > 3 * 4 * 1024 * 1024, `capture ${bytes.length} bytes`);
  writeFileSync(path, bytes);
  let next = 0;
  let bad = 0;
  const r = await readCaptureFile(path, (d) => {
    const i = new DataView(d.buffer, d.byteOffset, d.length).getUint32(0);
    const want = recs[next]!.data;
    if (i !== next || d.length !== want.length || d.some((v, j) => j >= 4 && v !== want[j])) bad++;
    next++;
  });
  assert.equal(r.frames, frames);
  assert.equal(next, frames);
  assert.equal(bad, 0);
  assert.deepEqual(r.warnings, []);
});

test('pcapng: if_tsoffset is signed seconds, in either byte order', () => {
  for (const le of [true, false]) {
    const w = new PcapngWriter()
      .section(le)
      .iface({ linkType: 1, tsoffset: -1_000_000_000n })
      .iface({ linkType: 1, tsoffset: 3600n })
      .epb(0, 1_700_000_000_000_000n, frameA)
      .epb(1, 1_000_000n, frameA);
    const { got } = parseAll(w.bytes());
    assert.deepEqual(
      got.map((g) => g.ts),
      [700_000_000_000, 3_601_000],
      le ? 'little-endian' : 'big-endian',
    );
  }
});

test('pcapng: if_tsresol beyond 10^-18 and 2^-64 is honoured, not capped', () => {
  const w = new PcapngWriter()
    .section()
    .iface({ linkType: 1, tsresol: 19 })
    .iface({ linkType: 1, tsresol: 0x80 | 65 })
    .epb(0, 17_000_000_000_000_000_000n, frameA)
    .epb(1, 1n << 63n, frameA);
  const { got } = parseAll(w.bytes());
  // 1.7e19 ticks of 10^-19 s are 1.7 s; 2^63 ticks of 2^-65 s are a quarter of a second.
  assert.equal(got[0]!.ts, 1700);
  assert.equal(got[1]!.ts, 250);
});

test('pcapng: extreme timestamps, resolutions and offsets give finite times and never throw', () => {
  const MAX = 0xffffffffffffffffn;
  const resolutions = [0, 6, 9, 19, 0x7f, 0x80, 0x80 | 63, 0xff];
  const offsets = [0n, -(1n << 63n), (1n << 63n) - 1n, -1_000_000_000n, 1_000_000_000_000n];
  const w = new PcapngWriter().section();
  let n = 0;
  for (const r of resolutions)
    for (const off of offsets) w.iface({ linkType: 113, tsresol: r, tsoffset: off });
  for (let i = 0; i < resolutions.length * offsets.length; i++)
    for (const t of [0n, 1n, MAX, MAX - 15n, 1n << 63n]) {
      w.epb(i, t, frameA);
      n++;
    }
  const { got, p } = parseAll(w.bytes(), 61);
  assert.deepEqual(p.warnings, []);
  assert.equal(got.length, n);
  for (const g of got) assert.ok(Number.isFinite(g.ts), `finite: ${g.ts}`);
  // Microseconds, no offset: max uint64 lands in the year 586524, far past what a Date can hold.
  const year586524 = got[(1 * offsets.length + 0) * 5 + 2]!.ts;
  assert.ok(year586524 > 8.64e15, String(year586524));
});

test('records: ranges of the chunk with one reused header, the same frames and fields as views', () => {
  const pcapng = new PcapngWriter()
    .section(true)
    .iface({ linkType: 1, tsresol: 6 })
    .iface({ linkType: 101, tsresol: 9 })
    .epb(0, 1_700_000_000_123_456n, frameA)
    .epb(1, 1_700_000_001_000_000_001n, frameB, 200)
    .spb(frameA)
    .bytes();
  const pcap = pcapBytes(1, [
    { data: frameA, ts: 1_600_000_000_123.456 },
    { data: frameB, ts: 1_600_000_001_000.5, origLen: 1514 },
  ]);
  for (const bytes of [pcap, pcapng]) {
    const headers = new Set<object>();
    const got: Got[] = [];
    const p = new CaptureParser({
      records: (b, s, e, h) => {
        headers.add(h);
        got.push({
          data: [...b.subarray(s, e)],
          linkType: h.linkType,
          ts: h.ts,
          wireLen: h.wireLen,
          iface: h.iface,
        });
      },
    });
    p.push(bytes);
    p.end();
    assert.ok(got.length >= 2);
    assert.deepEqual(got, parseAll(bytes).got);
    assert.equal(headers.size, 1, 'one header object for every frame');
  }
});
