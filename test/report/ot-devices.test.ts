/** The report's "OT / ICS devices": derived from the OT dissectors' names, as device lists name them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import { isOt } from '../../src-main/report/html';
import { PCAPS, skipUnlessCorpus } from '../helpers/corpus';

async function devices(file: string) {
  const a = createAnalyzer();
  await analyzeFile(a, join(PCAPS, file));
  return a.snapshot().devices;
}

test('corpus: HART-IP, PROFINET and EtherNet/IP devices count as OT, office hosts do not', async (t) => {
  if (skipUnlessCorpus(t)) return;
  // The hand-written list named "hartip" where the protocol is "hart-ip": these devices were missed.
  for (const file of [
    'ics-hart-ip__ndpi__hart_ip.pcap',
    'profinet-dcp__iti-ics__ChangeIPUsingDCP.pcap',
    'enip-listidentity__iti-ics__enip_test.pcap',
  ]) {
    const ds = await devices(file);
    const ot = ds.filter(isOt);
    assert.ok(
      ot.length >= 1,
      `${file}: no OT device among ${ds.map((d) => d.protocols.join(',')).join(' | ')}`,
    );
  }
  const office = await devices('http-ua__zeek__get.pcap');
  assert.ok(office.length >= 2);
  assert.deepEqual(office.filter(isOt), []);
});
