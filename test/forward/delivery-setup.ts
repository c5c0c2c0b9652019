import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Destination } from '../../src-main/forward/destination';
import { transportFor } from '../../src-main/forward/forwarder';
import type { Transport } from '../../src-main/forward/transport';

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
