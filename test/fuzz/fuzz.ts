/**
 * `npm run fuzz [-- --seconds N] [--iterations N]`: corrupt real captures and analyse them, many
 * times over, bounded in time. Each iteration takes a corpus capture and a seed, flips 2 % of every
 * frame's bytes (as `editcap -E 0.02` does) and runs the whole pipeline. A failure is written to
 * .tmp/fuzz-failures/ as a pcap to turn into a regression test, and the run exits 1.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CaptureParser } from '../../shared/capture/parser';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { PCAPS, corpusFiles } from '../helpers/corpus';
import { pcapBytes } from '../helpers/pcap-writer';
import { prng } from '../helpers/random';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    iterations: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '0.02' },
  },
});
const seconds = Number(values.seconds);
const maxIter = Number(values.iterations);
const rate = Number(values.rate);

const files = corpusFiles().map((f) => ({ name: f, bytes: readFileSync(join(PCAPS, f)) }));
if (files.length === 0) {
  console.error('fuzz: no corpus at ../shared/pcaps');
  process.exit(2);
}
const deadline = Date.now() + seconds * 1000;
let iter = 0;
let frames = 0;
let failures = 0;
while (iter < maxIter && Date.now() < deadline) {
  const seed = iter + 1;
  const rnd = prng(seed * 2654435761);
  const f = files[iter % files.length]!;
  iter++;
  const a = createAnalyzer();
  const kept: { data: Uint8Array; lt: number }[] = [];
  const parser = new CaptureParser((buf, lt, ts, wl, iface) => {
    const b = Uint8Array.from(buf);
    for (let i = 0; i < b.length; i++) if (rnd() < rate) b[i] = (rnd() * 256) | 0;
    kept.push({ data: b, lt });
    frames++;
    a.frame(b, lt, ts, wl, iface);
  });
  try {
    parser.push(f.bytes);
    parser.end();
    JSON.stringify(a.snapshot({ evidence: true }));
    if (a.stats().dissectorErrors > 0) throw new Error(`${a.stats().dissectorErrors} dissector exceptions`);
  } catch (e) {
    failures++;
    const dir = join(process.cwd(), '.tmp', 'fuzz-failures');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `seed${seed}-${f.name.replace(/\.pcapng$/, '.pcap')}`);
    writeFileSync(
      out,
      pcapBytes(
        kept[0]?.lt ?? 1,
        kept.map((k) => ({ data: k.data })),
      ),
    );
    console.error(
      `fuzz: FAIL ${f.name} seed ${seed}: ${e instanceof Error ? e.message : String(e)} -> ${out}`,
    );
  }
}
console.log(
  `fuzz: ${iter} corrupted captures, ${frames} frames, ${failures} failures, ${Math.round(seconds - (deadline - Date.now()) / 1000)} s`,
);
process.exit(failures > 0 ? 1 : 0);
