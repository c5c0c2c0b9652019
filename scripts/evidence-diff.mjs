// Compares `glasspane analyze CAPTURE --evidence --format json` of a reference build (--ref DIR: a
// checkout of the commit to compare with, built; read-only) with this checkout's build over every capture in the corpus, so a refactor
// can show it changed no output. The reference's outputs are cached by the hash of its cli.cjs.
//
//   node scripts/build.mjs && node scripts/evidence-diff.mjs [--ref DIR | --baseline DIR] [--allow NAME,...] [CAPTURE...]
//
// --allow names keys or attributes that this build adds on purpose (raw codes beside display text):
// evidence entries carrying them (`key=value`) and identity rows labelled with them are left out of
// the comparison, and so is stats.observations. Exit code 1 when any output differs.
//
// --identity compares what is known, not how often it was said: evidence counts and last-seen times
// (of evidence and identity rows) and the stats' observation and repeat counts are left out. Learning
// once per flow (AppContext.finished) changes those and nothing else.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let ref = null;
let baseline = null;
let allow = new Set();
let identityOnly = false;
const captures = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--ref') ref = args[++i];
  else if (args[i] === '--baseline') baseline = args[++i];
  else if (args[i] === '--allow') allow = new Set(args[++i].split(',').filter(Boolean));
  else if (args[i] === '--identity') identityOnly = true;
  else captures.push(args[i]);
}
const corpus = resolve(here, '../shared/pcaps');
if (captures.length === 0) {
  for (const f of readdirSync(corpus).sort())
    if (/\.(pcap|pcapng|cap)$/.test(f)) captures.push(join(corpus, f));
  const bench = join(here, 'bench/out');
  if (existsSync(bench))
    for (const f of readdirSync(bench).sort()) if (f.endsWith('.pcap')) captures.push(join(bench, f));
}

if (ref === null && baseline === null) {
  console.error('evidence-diff: give --ref DIR (a built checkout to compare with) or --baseline DIR');
  process.exit(2);
}
const refCli = join(ref ?? '.', 'bin/glasspane.cjs');
// --baseline DIR: the outputs an earlier run cached, when the reference has moved on since.
const cache =
  baseline ??
  join(
    '/tmp',
    'evidence-diff-' +
      createHash('sha1')
        .update(readFileSync(join(ref, 'dist/cli.cjs')))
        .digest('hex')
        .slice(0, 12),
  );
mkdirSync(cache, { recursive: true });

function analyze(cli, capture) {
  return execFileSync(process.execPath, [cli, 'analyze', capture, '--evidence', '--format', 'json'], {
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();
}

/** An entry about a name --allow lists: evidence `key=value`, an identity row's label, a field. */
function named(x) {
  if (typeof x !== 'object' || x === null) return false;
  if (typeof x.value === 'string' && allow.has(x.value.split('=')[0])) return true;
  return [x.field, x.key, x.attr, x.label].some((v) => typeof v === 'string' && allow.has(v));
}

/** Drop, at any depth, the array entries and object keys that --allow names. */
function prune(v) {
  if (Array.isArray(v)) return v.filter((x) => !named(x)).map(prune);
  if (typeof v !== 'object' || v === null) return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) if (!allow.has(k)) out[k] = prune(x);
  return out;
}

/** The output without its run time, and without what --allow says this build adds. */
function normal(text) {
  let j = JSON.parse(text);
  delete j.generatedAt;
  if (allow.size > 0) {
    if (j.stats) delete j.stats.observations;
    j = { ...j, devices: prune(j.devices ?? []) };
  }
  if (identityOnly) {
    if (j.stats) {
      delete j.stats.observations;
      delete j.stats.repeats;
    }
    j = { ...j, devices: (j.devices ?? []).map(uncounted) };
  }
  return JSON.stringify(j, null, 1);
}

/** A device without how often and how lately each fact was said (--identity). */
function uncounted(d) {
  const plain = (x) => {
    const { count: _c, lastSeen: _l, ...rest } = x;
    return rest;
  };
  const identity = {};
  for (const [k, rows] of Object.entries(d.identity ?? {})) identity[k] = rows.map(plain);
  return { ...d, identity, evidence: (d.evidence ?? []).map(plain) };
}

function firstDifference(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if (x[i] !== y[i]) return `line ${i + 1}:\n  ref:  ${x[i]}\n  mine: ${y[i]}`;
  return '';
}

let differ = 0;
for (const capture of captures) {
  const key = join(cache, createHash('sha1').update(resolve(capture)).digest('hex').slice(0, 16) + '.json');
  // Both builds read the capture by the same path, so the sources' paths agree.
  const path = resolve(capture);
  if (!existsSync(key)) writeFileSync(key, analyze(refCli, path));
  const a = normal(readFileSync(key, 'utf8'));
  const b = normal(analyze(join(here, 'bin/glasspane.cjs'), path));
  if (a !== b) {
    differ++;
    console.log(`DIFFERS ${capture}\n${firstDifference(a, b)}`);
  }
}
console.log(`${captures.length - differ} of ${captures.length} captures identical (reference ${ref})`);
process.exit(differ > 0 ? 1 : 0);
