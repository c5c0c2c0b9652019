import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, compileRules, factsFromCase } from '../../shared/classify';

// classify runs only the rules a device's facts and inputs can meet (an index by each rule's needs):
// these cases would fire wrongly, or not at all, if the index dropped or mixed up a rule.
const RULES = compileRules([
  {
    family: 'idx',
    description: 'rules for the index tests',
    rules: [
      {
        id: 'idx.named',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: { role: { in: ['Modbus-Server', 'bacnet-device'] } },
        yield: { type: 'plc' },
      },
      {
        id: 'idx.prefix',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: { role: { prefix: 's7-' } },
        yield: { vendor: 'Siemens' },
      },
      {
        id: 'idx.either',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: {
          any: [
            { role: 'dns-server' },
            { fact: { kind: 'software', protocol: 'ssh', value: { prefix: 'OpenSSH' } } },
          ],
        },
        yield: { os: 'Linux' },
      },
      {
        id: 'idx.case',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: { role: { equals: 'ntp-server', case: true } },
        yield: { model: 'Time server' },
      },
      {
        id: 'idx.always',
        description: 'd',
        source: 's',
        confidence: 0.3,
        match: { router: true },
        yield: { category: 'network' },
      },
    ],
  },
]);

test('the rule set compiles', () => {
  assert.deepEqual(RULES.errors, []);
  assert.equal(RULES.rules.length, 5);
});

test('a rule naming roles runs for a device holding one of them, whatever their case, and only then', () => {
  const plc = classify(factsFromCase({ roles: ['bacnet-device'] }), RULES.rules);
  assert.equal(plc.type.value, 'plc');
  assert.deepEqual(plc.fired, ['idx.named']);
  // Role facts count as the device's roles too.
  const fromFact = classify(
    factsFromCase({ facts: { 'role/modbus/mbap/modbus-server': 'modbus-server' } }),
    RULES.rules,
  );
  assert.equal(fromFact.type.value, 'plc');
  const other = classify(factsFromCase({ roles: ['modbus-client'] }), RULES.rules);
  assert.equal(other.type.value, null);
  assert.deepEqual(other.fired, []);
});

test('a role matcher that is not a list of names (prefix, case-sensitive) still runs for any role', () => {
  const s7 = classify(factsFromCase({ roles: ['s7-plc'] }), RULES.rules);
  assert.equal(s7.vendor.value, 'Siemens');
  const ntp = classify(factsFromCase({ roles: ['ntp-server'] }), RULES.rules);
  assert.equal(ntp.model.value, 'Time server');
  const wrongCase = classify(factsFromCase({ roles: ['NTP-server'] }), RULES.rules);
  assert.equal(wrongCase.model.value, null);
});

test('an `any` rule runs for a device meeting either branch; rules without needs run for all', () => {
  assert.equal(classify(factsFromCase({ roles: ['dns-server'] }), RULES.rules).os.value, 'Linux');
  const ssh = classify(
    factsFromCase({ facts: { 'software/ssh/banner/OpenSSH': 'OpenSSH_8.9p1' } }),
    RULES.rules,
  );
  assert.equal(ssh.os.value, 'Linux');
  const router = classify(factsFromCase({ router: true }), RULES.rules);
  assert.equal(router.category.value, 'network');
  assert.deepEqual(router.fired, ['idx.always']);
});

// Rules that cannot match without their OUI test passing run only for OUIs that pass it, worked out
// once per OUI name: devices sharing an OUI, and OUIs differing only in case, must still get what
// each rule alone gives them, in rule order.
const OUI_RULES = compileRules([
  {
    family: 'oui',
    description: 'rules over OUIs for the index tests',
    rules: [
      {
        id: 'oui.bare',
        description: 'd',
        source: 's',
        confidence: 0.4,
        match: { oui: { regex: '^Siemens' } },
        yield: { vendor: 'Siemens' },
      },
      {
        id: 'oui.fact',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: { fact: { kind: 'identity', protocol: 's7comm', key: 'module' } },
        yield: { model: '${value}' },
      },
      {
        id: 'oui.and',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: {
          all: [
            { fact: { kind: 'identity', protocol: 's7comm', key: 'module' } },
            { oui: { prefix: 'siemens ag' } },
          ],
        },
        yield: { type: 'plc' },
      },
      {
        id: 'oui.either',
        description: 'd',
        source: 's',
        confidence: 0.5,
        match: { any: [{ oui: { contains: 'Rockwell' } }, { role: 'enip-server' }] },
        yield: { category: 'OT' },
      },
      {
        id: 'oui.case',
        description: 'd',
        source: 's',
        confidence: 0.5,
        match: { oui: { equals: 'Siemens AG', case: true } },
        yield: { os: 'exact case' },
      },
    ],
  },
]);

test('the OUI rule set compiles', () => {
  assert.deepEqual(OUI_RULES.errors, []);
  assert.equal(OUI_RULES.rules.length, 5);
});

test('OUI rules fire for each device whose OUI passes, whatever the devices before it had', () => {
  const plc = { oui: 'Siemens AG', facts: { 'identity/s7comm/szl/module': '6ES7 315-2EH14-0AB0' } };
  const run = (c: Parameters<typeof factsFromCase>[0]) => classify(factsFromCase(c), OUI_RULES.rules);
  // Twice each, in turns: the second device of an OUI reads what the first one worked out.
  for (let i = 0; i < 2; i++) {
    // Upper case first: what it works out must not stand for 'Siemens AG', which one more rule passes.
    const upper = run({ ...plc, oui: 'SIEMENS AG' });
    assert.deepEqual(upper.fired, ['oui.bare', 'oui.fact', 'oui.and']);
    const a = run(plc);
    assert.deepEqual(a.fired, ['oui.bare', 'oui.fact', 'oui.and', 'oui.case']);
    assert.equal(a.type.value, 'plc');
    const noFact = run({ oui: 'Siemens AG' });
    assert.deepEqual(noFact.fired, ['oui.bare', 'oui.case']);
    const other = run({ ...plc, oui: 'Rockwell Automation' });
    assert.deepEqual(other.fired, ['oui.fact', 'oui.either']);
    assert.equal(other.vendor.value, null);
    const none = run({ facts: plc.facts, roles: ['enip-server'] });
    assert.deepEqual(none.fired, ['oui.fact', 'oui.either']);
  }
});
