import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import { CaptureFileError } from '../../src-main/capture/file-source';
import { toCsv, toJson, toTable } from '../../src-main/cli/format';
import { PCAPS, corpusFiles, CORPUS_SKIP } from '../helpers/corpus';

/**
 * `glasspane analyze --evidence --format json` over every capture of the real corpus, in process
 * (starting the CLI 150 times would cost more than the analysis): the same steps as analyzeCommand,
 * where a CaptureFileError is the CLI's exit 2 and anything else thrown would be its "internal error".
 * Every time in the output must be a four-digit-year ISO time that parses back.
 */
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function times(v: unknown, key: string, out: string[]): void {
  if (Array.isArray(v)) for (const x of v) times(x, key, out);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) times(x, k, out);
  else if (typeof v === 'string' && /(Seen|^time|^at)$/.test(key)) out.push(v);
}

test(
  'corpus: analyze --evidence --format json finishes on every capture, every time well-formed, services agree with evidence',
  { skip: CORPUS_SKIP },
  async () => {
    const files = corpusFiles();
    assert.ok(files.length > 50, 'corpus has its captures');
    const internal: string[] = [];
    const badTimes: string[] = [];
    let refused = 0;
    let checkedTimes = 0;
    let servicesChecked = 0;
    const unlisted: string[] = [];
    for (const file of files) {
      try {
        const a = createAnalyzer();
        await analyzeFile(a, join(PCAPS, file));
        const inv = a.snapshot({ evidence: true });
        const json = toJson(inv);
        assert.ok(toCsv(inv).startsWith('id,'), file);
        assert.ok(toTable(inv).length > 0, file);
        const found: string[] = [];
        times(JSON.parse(json), '', found);
        for (const s of found)
          if (!ISO.test(s) || Number.isNaN(Date.parse(s))) badTimes.push(`${file}: ${s}`);
        checkedTimes += found.length;
        // Services agree with the evidence: a served port the evidence names is in the list.
        for (const d of inv.devices) {
          const listed = new Set(d.services.map((x) => `${x.transport}/${x.port}`));
          for (const e of d.evidence ?? []) {
            const m = e.kind === 'service' ? / (tcp|udp)\/(\d+)$/.exec(e.value) : null;
            if (m === null) continue;
            servicesChecked++;
            if (!listed.has(`${m[1]}/${m[2]}`)) unlisted.push(`${file}: ${d.id} ${e.value}`);
          }
        }
      } catch (e) {
        if (e instanceof CaptureFileError) refused++;
        else internal.push(`${file}: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
    assert.deepEqual(internal, [], 'no capture may end in an internal error');
    assert.deepEqual(badTimes, []);
    assert.deepEqual(unlisted.slice(0, 20), [], 'served ports in the evidence missing from services');
    assert.ok(servicesChecked > 10, `service facts checked: ${servicesChecked}`);
    // The corpus's devices and evidence carry times; an output without any would prove nothing.
    assert.ok(checkedTimes > 1000, `times checked: ${checkedTimes}`);
    assert.ok(refused < files.length / 10, `refused as not captures: ${refused}`);
  },
);
