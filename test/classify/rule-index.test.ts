import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, compileRules, factsFromCase } from '../../shared/classify';
import type { Cond, Matcher } from '../../shared/classify/compile';

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

// Fact tests that name their keys (equals, in, or a regex listing them; in any case or one) read
// only the facts with those keys: byKind keeps each kind's facts by key and by protocol too, and the
// rule index files the rule under its keys, or its protocols; role tests under their roles.
const KEY_RULES = compileRules([
  {
    family: 'key',
    description: 'rules over fact keys for the index tests',
    rules: [
      {
        id: 'key.one',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: { fact: { kind: 'identity', key: 'Model-Name' } },
        yield: { model: '${value}' },
      },
      {
        id: 'key.list',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: {
          all: [
            { fact: { kind: 'identity', protocol: 'snmp', key: { in: ['sysDescr', 'firmware'] } } },
            { not: { fact: { kind: 'identity', key: 'vendor' } } },
          ],
        },
        yield: { firmware: '${value}' },
      },
      {
        id: 'key.case',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: { fact: { kind: 'identity', key: { equals: 'os', case: true } } },
        yield: { os: '${value}' },
      },
      {
        id: 'key.regex',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: { fact: { kind: 'identity', key: { regex: '^(serial|Serial\\.No)$' } } },
        yield: { vendor: 'by $1' },
      },
      {
        id: 'key.loose',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: { fact: { kind: 'identity', key: { regex: '^mod.l' } } },
        yield: { category: 'IT' },
      },
      {
        id: 'key.protocols',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: { fact: { kind: 'identity', protocol: { regex: '^(?:cdp|mdns)$' } } },
        yield: { hostname: '${value}' },
      },
      {
        id: 'key.roles',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: { role: { regex: '^(s7-client|fins-client)$' } },
        yield: { type: 'hmi' },
      },
      {
        id: 'key.syn',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: { fact: { kind: 'fingerprint', key: 'ja4', value: { prefix: 't13' } } },
        yield: { os: 'TLS client' },
      },
      {
        id: 'key.other',
        description: 'd',
        source: 's',
        confidence: 0.5,
        match: { fact: { kind: 'fingerprint', key: 'ja3', value: 'abc' } },
        yield: { vendor: 'JA3 vendor' },
      },
    ],
  },
]);

/** Each fact test's protocol and key matchers and each role test's, counting the values tried. */
function countTests(rules: typeof KEY_RULES.rules): Map<string, number> {
  const tried = new Map<string, number>();
  const counted = (name: string, m: Matcher): Matcher => {
    return (s) => {
      tried.set(name, (tried.get(name) ?? 0) + 1);
      return m(s);
    };
  };
  const wrap = (id: string, c: Cond): void => {
    if (c.t === 'all' || c.t === 'any') for (const x of c.c) wrap(id, x);
    else if (c.t === 'not') wrap(id, c.c);
    else if (c.t === 'role') c.m = counted(id, c.m);
    else if (c.t === 'fact' && c.key !== undefined) c.key = counted(id, c.key);
    else if (c.t === 'fact' && c.protocol !== undefined) c.protocol = counted(id, c.protocol);
  };
  for (const r of rules) wrap(r.id, r.cond);
  return tried;
}

test('a fact test naming its keys fires on them in any case, and reads no fact with another key', () => {
  const rules = compileRules([KEY_RULES.valid[0]], undefined, { prevalidated: true }).rules;
  const tried = countTests(rules);
  const many: Record<string, string> = {};
  for (let i = 0; i < 50; i++) many[`identity/lldp/sys/other-${i}`] = `x${i}`;
  const d = factsFromCase({
    facts: {
      ...many,
      'identity/http/page/MODEL-name': 'XR-7',
      'identity/snmp/mib/SysDescr': 'fw 2.1',
      'identity/lldp/x/SERIAL.NO': '42',
      'identity/CDP/x/device-id': 'sw1',
    },
    roles: ['modbus-server', 'bacnet-device'],
  });
  const c = classify(d, rules);
  assert.equal(c.model.value, 'XR-7');
  assert.equal(c.firmware.value, 'fw 2.1');
  assert.equal(c.vendor.value, 'by SERIAL.NO');
  assert.equal(c.hostname.value, 'sw1');
  assert.deepEqual(c.fired, ['key.one', 'key.list', 'key.regex', 'key.loose', 'key.protocols']);
  // Each keyed test met only the facts with its keys (two keys: those of its protocol), the
  // protocols test those of its protocols, the role test no role (the device has neither of its
  // roles); only the test whose regex is not a list of names met all 54 facts.
  assert.deepEqual(Object.fromEntries(tried), {
    'key.one': 1,
    'key.list': 1,
    'key.regex': 1,
    'key.loose': 54,
    'key.protocols': 1,
  });
  // The role test runs for a device holding one of its roles, in any case.
  assert.equal(classify(factsFromCase({ roles: ['FINS-client'] }), rules).type.value, 'hmi');
  // A case-sensitive key test still tells the cases apart.
  const os = classify(factsFromCase({ facts: { 'identity/x/y/OS': 'A', 'identity/x/y/os': 'B' } }), rules);
  assert.equal(os.os.value, 'B');
  // The `not` reads its key's facts too.
  const vendor = classify(
    factsFromCase({ facts: { 'identity/snmp/mib/firmware': '3.0', 'identity/lldp/x/Vendor': 'V' } }),
    rules,
  );
  assert.deepEqual(vendor.fired, []);
});

test('each fingerprint a keyed rule knows is known, when a device has several', () => {
  const d = factsFromCase({
    facts: {
      'fingerprint/tls/hello/ja3': ['zzz', 'abc'],
      'fingerprint/tls/hello/JA4': ['t13d1516h2_1', 't12d_x'],
    },
  });
  const c = classify(d, KEY_RULES.rules);
  assert.deepEqual(c.fired, ['key.syn', 'key.other']);
  // Of four prints, the rules know 'abc' and 't13d1516h2_1' (each matched once, the other on its own).
  assert.deepEqual(
    c.unmatched.map((u) => u.value),
    ['zzz', 't12d_x'],
  );
});
