/**
 * Rules from the rules cache (compiled without an error before) build their regexes on first use: an
 * analysis compiles every rule as it starts and a small capture runs few of them. Rules read from
 * YAML still build them at once, so a bad regex is reported with its file and rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules } from '../../shared/classify';
import { compileMatcher } from '../../shared/classify/compile';

/** Runs `f` counting `new RegExp(...)` calls (regex literals do not call the constructor). */
function countingRegExps<T>(f: () => T): { value: T; built: number } {
  const Real = globalThis.RegExp;
  let built = 0;
  globalThis.RegExp = new Proxy(Real, {
    construct(target, args: [string, string?]) {
      built++;
      return new target(...args);
    },
  });
  try {
    return { value: f(), built };
  } finally {
    globalThis.RegExp = Real;
  }
}

const doc = (regex: string) => [
  {
    family: 'f',
    description: 'd',
    rules: [
      {
        id: 'f.one',
        description: 'd',
        source: 's',
        confidence: 0.5,
        match: { all: [{ oui: { regex } }, { fact: { kind: 'software', value: { regex: 'Ver(\\d+)' } } }] },
        yield: { type: 'plc' },
      },
    ],
  },
];

test('a checked rule builds no regex until a test runs, then the one it needs', () => {
  const { value: r, built } = countingRegExps(() =>
    compileRules(doc('^acme'), ['f.yaml'], { prevalidated: true }),
  );
  assert.deepEqual(r.errors, []);
  assert.equal(built, 0, 'nothing built while compiling');
  const cond = r.rules[0]!.cond;
  assert.equal(cond.t, 'all');
  const oui = cond.t === 'all' ? cond.c[0]! : cond;
  assert.equal(oui.t, 'oui');
  const m = oui.t === 'oui' ? oui.m : () => null;
  // An ASCII value: the ASCII twin alone is built; the `u` regex only for a value past ASCII.
  const ascii = countingRegExps(() => [m('ACME Corp'), m('ACME Corp'), m('Other')]);
  assert.deepEqual(ascii.value, [{}, {}, null]);
  assert.equal(ascii.built, 1);
  const wide = countingRegExps(() => [m('Acme Ünïcode'), m('Acmé')]);
  assert.deepEqual(wide.value, [{}, null]);
  assert.equal(wide.built, 1);
});

test('an unchecked rule builds its regexes as it compiles, and reports a bad one', () => {
  const good = countingRegExps(() => compileRules(doc('^acme'), ['f.yaml']));
  assert.deepEqual(good.value.errors, []);
  assert.ok(good.built >= 2, `${good.built} built`);
  const bad = compileRules(doc('('), ['f.yaml']);
  assert.match(bad.errors.join('\n'), /f\.yaml: rule f\.one: bad regex \/\(\//);
  assert.equal(bad.rules.length, 0);
  const errs: string[] = [];
  compileMatcher({ regex: '[' }, errs);
  assert.equal(errs.length, 1);
});
