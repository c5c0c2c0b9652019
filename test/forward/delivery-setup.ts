import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analysisEvents, type ForwardEvent } from '../../shared/forward/events';
import type { Destination } from '../../src-main/forward/destination';
import { transportFor } from '../../src-main/forward/forwarder';
import type { Transport } from '../../src-main/forward/transport';
import { CORPUS_SKIP } from '../helpers/corpus';
import { analyzeCorpus } from './corpus-run';
import { makeTestCa } from '../helpers/test-ca';

/** The real capture whose devices and alerts every delivery test sends: an EtherNet/IP plant. */
export const DELIVERY_CAPTURE = 'enip-listidentity__icsnpp-enip__enip_cip_example.pcap';
export const deliverySkip = CORPUS_SKIP;
export const ORIGIN = { version: '0.1.0', host: 'sensor-test' };
export type TestCa = ReturnType<typeof makeTestCa>;

/** A test CA, and the events of DELIVERY_CAPTURE (none where the corpus is absent: those tests skip). */
export async function deliveryFixture(): Promise<{ pki: TestCa; events: ForwardEvent[] }> {
  const pki = makeTestCa();
  if (deliverySkip !== false) return { pki, events: [] };
  const { inv, alerts } = await analyzeCorpus([DELIVERY_CAPTURE]);
  return { pki, events: analysisEvents(inv, alerts, ORIGIN) };
}

/** A fresh data folder and a secret file in it, as a person would keep one (0600). */
export function scratch(secret = 'whsec_' + Math.random().toString(36).slice(2)): {
  dir: string;
  secretFile: string;
  secret: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'gp-deliver-'));
  const secretFile = join(dir, 'secret');
  writeFileSync(secretFile, secret + '\n', { mode: 0o600 });
  return { dir, secretFile, secret };
}

/** The real transport, its batches cut small so that a handful of events makes several requests. */
export function smallBatches(n: number): (d: Destination) => Transport {
  return (d) => Object.assign(transportFor(d), { maxBatchRecords: n });
}
