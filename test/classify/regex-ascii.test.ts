import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileMatcher, type Captures } from '../../shared/classify/compile';
import { readRules } from '../../src-main/classify/load';

// compileMatcher runs a regex without the `u` flag on ASCII values (cheaper to build) and the `u` one
// on the rest: every rule's regex must give what the `u` regex alone gives, on any value.

interface Pattern {
  regex: string;
  cs: boolean;
}

const rules = readRules();
const patterns: Pattern[] = [];
const values = new Set<string>();
const walk = (x: unknown, inFacts: boolean) => {
  if (typeof x === 'string') {
    if (inFacts) values.add(x);
  } else if (Array.isArray(x)) for (const y of x) walk(y, inFacts);
  else if (typeof x === 'object' && x !== null) {
    const o = x as Record<string, unknown>;
    if (typeof o.regex === 'string') patterns.push({ regex: o.regex, cs: o.case === true });
    for (const [k, v] of Object.entries(o)) walk(v, inFacts || k === 'facts');
  }
};
for (const r of rules.rules) walk(r.spec, false);
const pool = [...values];

/** What the matcher must return: the `u` regex's captures, as compileMatcher states them. */
function reference(p: Pattern, s: string): Captures | null {
  const r = new RegExp(p.regex, p.cs ? 'u' : 'iu').exec(s.length > 1024 ? s.slice(0, 1024) : s);
  if (r === null) return null;
  const c: Captures = {};
  for (let i = 1; i < r.length && i < 10; i++) if (r[i] !== undefined) c[String(i)] = r[i]!;
  if (r.groups !== undefined) for (const [k, v] of Object.entries(r.groups)) if (v !== undefined) c[k] = v;
  return c;
}

const compiled = patterns.map((p) => {
  const errs: string[] = [];
  const m = compileMatcher({ regex: p.regex, ...(p.cs ? { case: true } : {}) }, errs);
  assert.deepEqual(errs, [], p.regex);
  return m;
});

/** Case flipped by a mask, and the characters Unicode case folding maps onto ASCII let in. */
function mutate(s: string, flips: boolean[], extra: string, at: number): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    out += flips[i % Math.max(flips.length, 1)] === true ? flipCase(ch) : ch;
  }
  const k = out.length === 0 ? 0 : at % (out.length + 1);
  return out.slice(0, k) + extra + out.slice(k);
}

function flipCase(ch: string): string {
  const u = ch.toUpperCase();
  return u === ch ? ch.toLowerCase() : u;
}

test('the rules have regexes and test values to try them on', () => {
  assert.ok(patterns.length > 200, `${patterns.length} regexes`);
  assert.ok(pool.length > 200, `${pool.length} values`);
});

test("every rule regex gives the u regex's captures on every rule test value", () => {
  let hits = 0;
  for (let i = 0; i < patterns.length; i++)
    for (const v of pool) {
      const want = reference(patterns[i]!, v);
      if (want !== null) hits++;
      assert.deepEqual(compiled[i]!(v), want, `/${patterns[i]!.regex}/ on ${JSON.stringify(v)}`);
    }
  // Not a comparison of nulls: the rules' own fire cases match.
  assert.ok(hits > 300, `${hits} matches`);
});

test("every rule regex gives the u regex's captures on values with case flipped and non-ASCII let in", () => {
  fc.assert(
    fc.property(
      fc.nat(patterns.length - 1),
      fc.oneof(
        fc.constantFrom(...pool),
        fc.string({ maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 20 }),
      ),
      fc.array(fc.boolean(), { maxLength: 8 }),
      fc.constantFrom('', '', 'ſ', 'K', 'é', 'İ', 'ß', '\u{1F600}', 'Å'),
      fc.nat(64),
      (i, v, flips, extra, at) => {
        const s = mutate(v, flips, extra, at);
        assert.deepEqual(compiled[i]!(s), reference(patterns[i]!, s));
      },
    ),
    { numRuns: 20000 },
  );
});

test('non-ASCII values take the u regex: long s and the Kelvin sign match as case folding says', () => {
  const m = (regex: string) => compileMatcher({ regex }, []);
  // U+017F folds to s and U+212A to k: only the `u` regex sees them so.
  assert.deepEqual(m('^Samsung$')('ſamsung'), {});
  assert.deepEqual(m('^(?<v>\\w+)$')('\u212Aelvin'), { 1: '\u212Aelvin', v: '\u212Aelvin' });
  assert.deepEqual(m('^Samsung$')('samsung'), {});
  assert.equal(m('^Samsung$')('Samsung!'), null);
  // Case-sensitive: neither flips case.
  assert.equal(compileMatcher({ regex: '^Samsung$', case: true }, [])('samsung'), null);
  assert.deepEqual(compileMatcher({ regex: '^Samsung$', case: true }, [])('Samsung'), {});
});
