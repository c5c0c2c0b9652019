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

test('a regex listing plain names is a set lookup that passes exactly what the u regex passes', () => {
  const sources = ['^(s|k|i|key\\.id|Serial-No:/ x_1)$', '^(?:mdns|SSDP)$', '^user-agent$'];
  for (const regex of sources)
    for (const cs of [false, true]) {
      const p: Pattern = { regex, cs };
      const m = compileMatcher({ regex, ...(cs ? { case: true } : {}) }, []);
      const names = /\((?:\?:)?(.*)\)|\^(.*)\$/.exec(regex)!;
      const list = (names[1] ?? names[2]!).replaceAll('\\.', '.').split('|');
      // Every UTF-16 unit in place of each character of each name, and each name in both cases.
      for (const n of list) {
        for (const v of [n, n.toUpperCase(), n.toLowerCase(), n + 'x', n.slice(1)])
          assert.deepEqual(m(v), reference(p, v), `/${regex}/${cs ? '' : 'i'} on ${JSON.stringify(v)}`);
        for (let at = 0; at < n.length; at++)
          for (let u = 0; u < 0x10000; u++) {
            const v = n.slice(0, at) + String.fromCharCode(u) + n.slice(at + 1);
            const want = reference(p, v);
            const got = m(v);
            if (want === null ? got !== null : got === null || got['1'] !== want['1'])
              assert.fail(`/${regex}/${cs ? '' : 'i'} on ${JSON.stringify(v)}: ${JSON.stringify(got)}`);
          }
      }
      // The rule's regex never runs (the test the set replaced).
      const exec = RegExp.prototype.exec;
      const source = new RegExp(regex).source;
      let runs = 0;
      RegExp.prototype.exec = function (this: RegExp, s: string) {
        if (this.source === source) runs++;
        return exec.call(this, s);
      };
      try {
        for (const n of list) m(n.toUpperCase());
      } finally {
        RegExp.prototype.exec = exec;
      }
      assert.equal(runs, 0, `/${regex}/ ran a regex`);
    }
});
