import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRuleCases, classify, compileRules, factsFromCase } from '../../shared/classify';

// A lookup table: one rule, many rows (key -> result), each row with an id of its own for evidence.
const table = (over: object = {}) => ({
  id: 'x.os',
  description: 'd',
  source: 's',
  confidence: 0.75,
  match: { fact: { kind: 'identity', protocol: 'browser', key: 'os-version' } },
  yield: { category: 'IT' },
  lookup: {
    rows: [
      { id: 'x.os-5-1', key: '5.1', yield: { os: 'Windows XP' } },
      {
        id: 'x.os-6-1',
        key: ['6.1', '6.1.7601'],
        confidence: 0.6,
        yield: { os: 'Windows 7', category: 'OT' },
      },
    ],
  },
  tests: {
    fire: [
      { facts: { 'identity/browser/os/os-version': '5.1' }, expect: { os: 'Windows XP' } },
      { facts: { 'identity/browser/os/os-version': '6.1' }, expect: { os: 'Windows 7' } },
    ],
    miss: [{ facts: { 'identity/browser/os/os-version': '9.9' } }],
  },
  ...over,
});
const compile = (rules: object[]) => compileRules([{ family: 'x', description: 'd', rules }], ['x.yaml']);

test('a lookup row yields its own values over the rule yield, under its own id and confidence', () => {
  const r = compile([table()]);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(checkRuleCases(r.rules[0]!), []);
  const c = classify(factsFromCase({ facts: { 'identity/browser/os/os-version': '6.1.7601' } }), r.rules);
  assert.equal(c.os.value, 'Windows 7');
  assert.equal(c.os.confidence, 0.6);
  assert.equal(c.os.evidence[0]!.rule, 'x.os-6-1');
  assert.equal(c.os.evidence[0]!.value, '6.1.7601');
  // The row names category itself; the rule's own yield would have said IT.
  assert.deepEqual(c.fired, ['x.os-6-1']);
  const xp = classify(factsFromCase({ facts: { 'identity/browser/os/os-version': '5.1' } }), r.rules);
  assert.equal(xp.os.value, 'Windows XP');
  assert.equal(xp.os.confidence, 0.75);
  assert.equal(xp.category.value, 'IT');
  assert.equal(xp.category.evidence[0]!.rule, 'x.os-5-1');
});

test('a key no row lists fires nothing; keys compare without case', () => {
  const r = compile([
    table({
      match: { fact: { kind: 'software', key: 'ua', value: { regex: 'Windows NT (?<k>[\\d.]+)' } } },
      lookup: { key: 'NT${k}', rows: [{ id: 'x.os-a', key: 'nt6.1', yield: { os: 'Windows 7' } }] },
      tests: undefined,
    }),
  ]);
  assert.deepEqual(r.errors, []);
  const hit = classify(
    factsFromCase({ facts: { 'software/http/ua/ua': 'Mozilla (Windows NT 6.1;)' } }),
    r.rules,
  );
  assert.equal(hit.os.value, 'Windows 7');
  const miss = classify(
    factsFromCase({ facts: { 'software/http/ua/ua': 'Mozilla (Windows NT 6.3;)' } }),
    r.rules,
  );
  assert.equal(miss.os.value, null);
  assert.deepEqual(miss.fired, []);
});

test('rows fire in table order whatever the order of the facts, as separate rules did', () => {
  const r = compile([table()]);
  const c = classify(factsFromCase({ facts: { 'identity/browser/os/os-version': ['6.1', '5.1'] } }), r.rules);
  assert.deepEqual(c.fired, ['x.os-5-1', 'x.os-6-1']);
});

test('the check reports a row no fire case reaches, and a miss case that reaches a row', () => {
  const r = compile([
    table({
      tests: {
        fire: [{ facts: { 'identity/browser/os/os-version': '5.1' } }],
        miss: [{ facts: { 'identity/browser/os/os-version': '6.1.7601' } }],
      },
    }),
  ]);
  const p = checkRuleCases(r.rules[0]!);
  assert.deepEqual(p, ['x.os: miss case 1 fires', 'x.os-6-1: no fire case reaches this row of the table']);
});

test('bad tables are rejected: a key in two rows, a row id another rule has, a bad row type, no yield', () => {
  const rows = [
    { id: 'x.os-a', key: ['1', '2'], yield: { os: 'A' } },
    { id: 'x.os-b', key: '2', yield: { type: 'toaster' } },
  ];
  const r = compile([
    table({ lookup: { rows } }),
    { ...table(), id: 'x.os-a', lookup: undefined, yield: { os: 'A' } },
  ]);
  const t = r.errors.join('\n');
  assert.match(t, /x\.yaml: rule x\.os: row x\.os-b: key '2' is also row x\.os-a's/);
  assert.match(t, /x\.yaml: rule x\.os: row x\.os-b: yield\.type: 'toaster' is not a type/);
  assert.match(t, /x\.yaml: rule x\.os-a: duplicate id/);
  const none = compile([{ ...table(), yield: undefined, lookup: undefined }]);
  assert.match(none.errors.join('\n'), /rule x\.os rules\.0\.yield: a rule needs a yield or a lookup table/);
});

test('a table over served ports: each row once, on the first of its ports served, in table order', () => {
  const r = compile([
    {
      id: 'x.serves',
      description: 'd',
      source: 's',
      confidence: 0.5,
      match: { serves: 'any' },
      lookup: {
        rows: [
          { id: 'x.serves-web', key: [80, 443], yield: { role: 'web-server' } },
          { id: 'x.serves-modbus', key: 502, confidence: 0.7, yield: { category: 'OT' } },
        ],
      },
      tests: { fire: [{ served: [443] }, { served: [502] }], miss: [{ served: [22] }] },
    },
  ]);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(checkRuleCases(r.rules[0]!), []);
  const c = classify(factsFromCase({ served: [502, 8080, 443, 80] }), r.rules);
  assert.deepEqual(c.fired, ['x.serves-web', 'x.serves-modbus']);
  const web = c.roles.find((x) => x.value === 'web-server');
  assert.deepEqual(
    web?.evidence.map((e) => [e.rule, e.field, e.value]),
    [['x.serves-web', 'serves', '80']],
  );
  assert.equal(c.category.value, 'OT');
  assert.equal(c.category.confidence, 0.7);
  assert.deepEqual(classify(factsFromCase({ served: [22, 8080] }), r.rules).fired, []);
});
