/**
 * jsonChunks writes, in pieces, the bytes toJson writes at once: each piece is cut out of a
 * JSON.stringify at its depth, so an off-by-one in the cut would shift or clip every device's text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { jsonChunks, toJson } from '../../src-main/cli/format';
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
  ].join('');
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
  const chunked = [...jsonChunks(head, lists)].join('');
  assert.equal(chunked, JSON.stringify({ ...head, devices: lists[0]![1], edges: [] }, null, 2) + '\n');
  assert.equal([...jsonChunks({}, [])].join(''), JSON.stringify({}, null, 2) + '\n');
});
