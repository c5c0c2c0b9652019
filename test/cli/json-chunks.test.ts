/**
 * jsonChunks writes, in pieces, the bytes toJson writes at once: each piece is cut out of a
 * JSON.stringify at its depth, so an off-by-one in the cut would shift or clip every device's text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonChunks, pieceText, toJson, type JsonPiece } from '../../src-main/cli/format';
import { writeChunks } from '../../src-main/cli/output';
import { corpusPath, skipUnlessCorpus } from '../helpers/corpus';

const PLANT = 'multi-lan-enip-plant__iti-ics__EIP-ControlProtocolChangeAttempt.pcap';

test('jsonChunks gives toJson bytes for a corpus inventory with evidence', async (t) => {
  if (skipUnlessCorpus(t, PLANT)) return;
  const a = createAnalyzer();
  await analyzeFile(a, corpusPath(PLANT));
  const p = a.snapshotParts({ evidence: true });
  const devices = [...p.devices];
  const edges = [...p.edges];
  assert.ok(devices.length >= 10 && edges.length >= 4, 'the capture has devices and edges');
  const chunked = [
    ...jsonChunks(p.head, [
      ['devices', devices],
      ['edges', edges],
    ]),
  ]
    .map(pieceText)
    .join('');
  assert.equal(chunked, toJson({ ...p.head, devices, edges }));
});

test('jsonChunks gives toJson bytes for empty lists, nested values and escaped newlines', () => {
  const head = { schema: 1, note: 'a\nb', stats: { sources: [], nested: [[{}], { x: [1, 'two'] }] } };
  const lists: [string, unknown[]][] = [
    [
      'devices',
      [
        { id: 'd\n1', evidence: [] },
        { id: 'd2', evidence: [{ v: { w: null } }] },
      ],
    ],
    ['edges', []],
  ];
  const chunked = [...jsonChunks(head, lists)].map(pieceText).join('');
  assert.equal(chunked, JSON.stringify({ ...head, devices: lists[0]![1], edges: [] }, null, 2) + '\n');
  assert.equal([...jsonChunks({}, [])].map(pieceText).join(''), JSON.stringify({}, null, 2) + '\n');
});

test('writeChunks writes the bytes of the pieces: cut pieces, multi-byte text, block edges, a piece past a block', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'glasspane-chunks-'));
  try {
    const pieces: JsonPiece[] = ['{'];
    // Enough pieces to fill several blocks of a megabyte, each a cut out of a longer text, some of it
    // two, three and four bytes a character in UTF-8.
    for (let i = 0; i < 3000; i++) {
      const body = `"d${i}": "${'é€😀x'.repeat(i % 97)}${'a'.repeat(i % 500)}"`;
      pieces.push(i === 0 ? '\n  ' : ',\n  ', { text: `[\n  ${body}\n]`, from: 4, to: 4 + body.length });
    }
    // One piece longer than a block, cut too.
    const big = `"big": "${'ü'.repeat(700_000)}"`;
    pieces.push(',\n  ', { text: `[[ ${big} ]]`, from: 3, to: 3 + big.length }, '\n}\n');
    const want = pieces.map(pieceText).join('');
    assert.ok(Buffer.byteLength(want) > 3 << 20, 'the text spans several blocks');
    const out = join(dir, 'out.json');
    await writeChunks(pieces, out);
    assert.equal(readFileSync(out, 'utf8'), want);
    assert.equal(Object.keys(JSON.parse(readFileSync(out, 'utf8')) as object).length, 3001);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
