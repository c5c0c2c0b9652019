import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import { PCAPS, corpusFiles, groundTruth, CORPUS_SKIP } from '../helpers/corpus';
import type { InventoryJson } from '../../shared/model/inventory';

/**
 * Every capture of the real corpus is analysed without an exception escaping, and every MAC and IP
 * address that GROUND_TRUTH.md lists for it is in the inventory: MAC devices with their addresses,
 * and addresses seen behind a router as routed devices of their own.
 */
const gt = new Map(groundTruth().map((c) => [c.file, c]));

async function analyze(file: string): Promise<InventoryJson> {
  const a = createAnalyzer();
  await analyzeFile(a, join(PCAPS, file));
  return a.snapshot();
}

test('corpus: every capture is analysed; listed MACs and IPs are found', { skip: CORPUS_SKIP }, async (t) => {
  const files = corpusFiles();
  assert.ok(files.length > 50, 'corpus has its captures');
  let macsChecked = 0;
  let ipsChecked = 0;
  const misses: string[] = [];
  for (const file of files) {
    const inv = await analyze(file);
    assert.ok(inv.stats.packets > 0 || file.startsWith('fuzz-'), `${file}: no packets read`);
    const truth = gt.get(file);
    if (truth === undefined) continue;
    const byMac = new Map(inv.devices.filter((d) => d.mac !== null).map((d) => [d.mac!, d]));
    const allIps = new Set(inv.devices.flatMap((d) => d.ips));
    const routedIps = new Set(inv.devices.filter((d) => d.routed).flatMap((d) => d.ips));
    for (const d of truth.devices) {
      for (const mac of d.macs) {
        macsChecked++;
        const ours = byMac.get(mac);
        if (ours === undefined) {
          misses.push(`${file}: MAC ${mac} missing`);
          continue;
        }
        for (const ip of d.ips) {
          ipsChecked++;
          if (!ours.ips.includes(ip) && !(ours.router && routedIps.has(ip)))
            misses.push(`${file}: ${ip} not on ${mac} (ours: ${ours.ips.join(',')})`);
        }
      }
      if (d.via !== '') {
        for (const ip of d.ips) {
          ipsChecked++;
          if (!routedIps.has(ip))
            misses.push(
              `${file}: ${ip} via ${d.via} is not a routed device${allIps.has(ip) ? ' (but is known)' : ''}`,
            );
        }
      } else if (d.macs.length === 0) {
        for (const ip of d.ips) {
          ipsChecked++;
          if (!allIps.has(ip)) misses.push(`${file}: address-only device ${ip} missing`);
        }
      }
    }
  }
  t.diagnostic(`checked ${macsChecked} MACs and ${ipsChecked} addresses over ${files.length} captures`);
  assert.ok(macsChecked > 500 && ipsChecked > 500, 'the ground truth was really compared');
  assert.deepEqual(misses, []);
});
