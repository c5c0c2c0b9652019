import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { ETHERNET, feedSynthetic, writeSyntheticPcap } from '../../src-main/store/synthetic';
import { tempDb } from './session';

test('the synthetic network has exactly the devices and distinct edges asked for, as frames and as a pcap', async () => {
  const o = { devices: 1000, edges: 7000 };
  const a = createAnalyzer();
  feedSynthetic(o, (f, ts) => a.frame(f, ETHERNET, ts, f.length, 0));
  assert.equal(a.inventory.size, 1000);
  assert.equal(a.inventory.edges.size, 7000);
  assert.equal(a.stats().malformed, 0);
  const d = a.snapshot().devices.find((x) => x.id === 'mac:02:00:00:00:01:f4')!;
  assert.deepEqual(d.ips, ['10.0.2.1'], 'device 500: 10.0.(500/250).(1+500%250)');
  assert.equal(d.routed, false);

  const pcap = join(dirname(tempDb()), 'syn.pcap');
  assert.equal(writeSyntheticPcap(pcap, o), 7000);
  const b = createAnalyzer();
  await analyzeFile(b, pcap);
  assert.equal(b.stats().packets, 7000);
  assert.equal(b.inventory.size, 1000);
  assert.equal(b.inventory.edges.size, 7000);
});
