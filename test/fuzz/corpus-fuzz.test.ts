import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PCAPS, corpusFiles, CORPUS_SKIP } from '../helpers/corpus';
import { analyzeSurvives, corrupt, editcapAvailable } from '../helpers/mutate';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';

/** Every corpus capture, the fuzz-* ones included, and corrupted copies of each, without a crash. */
test(
  'corpus: every capture, fuzz-* included, is analysed without an exception or a dissector error',
  { skip: CORPUS_SKIP },
  async () => {
    const failures: string[] = [];
    let malformed = 0;
    for (const f of corpusFiles()) {
      const bad = await analyzeSurvives(join(PCAPS, f));
      if (bad) failures.push(bad);
      if (f.startsWith('fuzz-')) {
        const a = createAnalyzer();
        await analyzeFile(a, join(PCAPS, f)).catch(() => {});
        malformed += a.stats().malformed;
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(malformed > 0, 'the deliberately broken captures are counted as malformed');
  },
);

const SEEDS = [1, 2, 3];

test(
  `corpus: editcap -E 0.02 corrupted copies (seeds ${SEEDS.join(',')}) are analysed without an exception`,
  {
    skip: CORPUS_SKIP || (!editcapAvailable() && 'editcap (wireshark-common) not installed'),
    timeout: 10 * 60_000,
  },
  async (t) => {
    const failures: string[] = [];
    let files = 0;
    for (const seed of SEEDS) {
      for (const f of corpusFiles()) {
        let path: string;
        try {
          path = corrupt(join(PCAPS, f), seed);
        } catch {
          continue; // editcap refuses some deliberately broken inputs; those are covered above
        }
        files++;
        const bad = await analyzeSurvives(path);
        if (bad) failures.push(`seed ${seed}: ${bad}`);
      }
    }
    t.diagnostic(`${files} corrupted captures analysed`);
    assert.ok(files > 100);
    assert.deepEqual(failures, []);
  },
);
