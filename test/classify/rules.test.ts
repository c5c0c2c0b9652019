import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRuleCases, compileRules, TYPES } from '../../shared/classify';
import { readRules } from '../../src-main/classify/load';

const loaded = readRules();

test('every rule file parses and validates', () => {
  assert.deepEqual(loaded.errors, []);
  assert.ok(loaded.files.length >= 20, `only ${loaded.files.length} rule files`);
  assert.ok(loaded.rules.length >= 300, `only ${loaded.rules.length} rules`);
});

test('the signal families the issue asks for are all present', () => {
  const families = new Set(loaded.rules.map((r) => r.family));
  for (const f of [
    'oui',
    'dhcp',
    'tcp-syn',
    'http-ua',
    'mdns',
    'ssdp',
    'wsd',
    'lldp',
    'cdp',
    'snmp',
    'tls',
    'ssh',
    'ntlm',
    'sip',
    'cip',
    'modbus',
    's7',
    'bacnet',
    'profinet',
    'iec61850',
    'knx',
    'behaviour',
  ])
    assert.ok(families.has(f), `no rules for ${f}`);
});

test('each rule fires on its own fire cases and not on its miss cases', () => {
  const problems: string[] = [];
  let cases = 0;
  for (const r of loaded.rules) {
    problems.push(...checkRuleCases(r));
    cases += (r.spec.tests?.fire?.length ?? 0) + (r.spec.tests?.miss?.length ?? 0);
  }
  assert.deepEqual(problems, []);
  assert.ok(cases >= 2 * loaded.rules.length);
});

test('a rule without test cases fails the check', () => {
  const r = compileRules([
    {
      family: 'x',
      description: 'd',
      rules: [
        {
          id: 'x.a',
          description: 'd',
          source: 's',
          confidence: 0.5,
          match: { oui: 'Acme' },
          yield: { type: 'plc' },
        },
      ],
    },
  ]);
  assert.deepEqual(r.errors, []);
  const p = checkRuleCases(r.rules[0]!);
  assert.equal(p.length, 2);
  assert.match(p[0]!, /no test case that fires/);
});

test('a case that does not fire, or a miss that fires, is reported', () => {
  const r = compileRules([
    {
      family: 'x',
      description: 'd',
      rules: [
        {
          id: 'x.a',
          description: 'd',
          source: 's',
          confidence: 0.5,
          match: { fact: { kind: 'identity', key: 'model', value: { prefix: '1756-L' } } },
          yield: { type: 'plc', model: '${value}' },
          tests: {
            fire: [{ facts: { 'identity/enip/Identity.productName/model': '1769-L33' } }],
            miss: [{ facts: { 'identity/enip/Identity.productName/model': '1756-L61' } }],
          },
        },
      ],
    },
  ]);
  const p = checkRuleCases(r.rules[0]!);
  assert.ok(p.some((x) => /fire case 1 does not fire/.test(x)));
  assert.ok(p.some((x) => /miss case 1 fires/.test(x)));
});

test('invalid rules are rejected with file and rule id', () => {
  const rule = (id: string, over: object = {}) => ({
    id,
    description: 'd',
    source: 's',
    confidence: 0.5,
    match: { oui: 'A' },
    yield: { type: 'plc' },
    ...over,
  });
  const file = (rules: object[]) => [{ family: 'bad', description: 'd', rules }];
  const badType = rule('bad.type', { yield: { type: 'toaster' } });
  const badRegex = rule('bad.regex', { match: { oui: { regex: '(' } } });
  // A schema error (confidence out of range) rejects the whole file, naming the rule.
  const r = compileRules(
    file([badType, rule('bad.conf', { confidence: 2 }), badRegex, rule('bad.dup'), rule('bad.dup')]),
    ['bad.yaml'],
  );
  assert.match(r.errors.join('\n'), /bad\.yaml: rule bad\.conf rules\.1\.confidence/);
  assert.equal(r.rules.length, 0);
  // Without it, each bad rule is rejected on its own and the first of the duplicates stays.
  const r2 = compileRules(file([badType, badRegex, rule('bad.dup'), rule('bad.dup')]), ['bad.yaml']);
  const t2 = r2.errors.join('\n');
  assert.match(t2, /bad\.yaml: rule bad\.type: yield\.type: 'toaster' is not a type/);
  assert.match(t2, /bad\.yaml: rule bad\.regex: bad regex/);
  assert.match(t2, /bad\.yaml: rule bad\.dup: duplicate id/);
  assert.deepEqual(
    r2.rules.map((x) => x.id),
    ['bad.dup'],
  );
});

test('every type a rule yields is in the taxonomy', () => {
  for (const r of loaded.rules)
    for (const o of [r, ...(r.table?.rows ?? [])])
      if (o.yields.type !== undefined) assert.ok(TYPES.includes(o.yields.type as never), o.id);
});
