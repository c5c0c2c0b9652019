import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyClassification,
  Classifier,
  classify,
  combine,
  compileRules,
  factsFromCase,
  factsOf,
  peerIndex,
  type Candidate,
} from '../../shared/classify';
import { Inventory } from '../../shared/inventory/inventory';
import type { Observation } from '../../shared/model/observation';
import { Analyzer } from '../../shared/engine/analyzer';
import { LAYERS } from '../../shared/decode/layers';
import { tcpFrame } from '../helpers/packets';

const ev = (rule: string, value: string) => [
  { rule, kind: 'identity', protocol: 'x', field: 'f', value, frame: 7, time: '2020-01-01T00:00:00.000Z' },
];
const cand = (value: string, confidence: number, rule: string): Candidate => ({
  value,
  confidence,
  rule,
  evidence: ev(rule, value),
});

test('the strongest value wins and the others stay as alternatives with their rules', () => {
  const a = combine('os', [
    cand('Linux', 0.45, 'tcp.linux'),
    cand('Windows', 0.9, 'ntlm.x'),
    cand('Linux', 0.3, 'ssh.x'),
  ]);
  assert.equal(a.value, 'Windows');
  assert.equal(a.confidence, 0.9);
  assert.equal(a.alternatives.length, 1);
  assert.equal(a.alternatives[0]!.value, 'Linux');
  assert.deepEqual(a.alternatives[0]!.rules, ['ssh.x', 'tcp.linux']);
  // Two independent rules agreeing: 1 - 0.55 * 0.7
  assert.equal(a.alternatives[0]!.confidence, 0.615);
});

test('agreeing independent evidence adds up; one rule firing twice does not', () => {
  const two = combine('type', [cand('plc', 0.5, 'a'), cand('plc', 0.5, 'b')]);
  assert.equal(two.confidence, 0.75);
  const same = combine('type', [cand('plc', 0.5, 'a'), cand('plc', 0.5, 'a')]);
  assert.equal(same.confidence, 0.5);
});

test("specific beats generic: a refinement takes the generic value's support", () => {
  const os = combine('os', [
    cand('Windows', 0.7, 'dhcp.msft'),
    cand('Windows 10 1511, NT 10.0.10586', 0.5, 'ntlm.b'),
  ]);
  assert.equal(os.value, 'Windows 10 1511, NT 10.0.10586');
  assert.deepEqual(os.alternatives, []);
  assert.deepEqual(
    os.evidence.map((e) => e.rule),
    ['ntlm.b', 'dhcp.msft'],
  );
  const type = combine('type', [cand('workstation', 0.6, 'a'), cand('engineering-workstation', 0.5, 'b')]);
  assert.equal(type.value, 'engineering-workstation');
  // A word prefix is not a refinement ("Win" does not generalize "Windows").
  const t = combine('os', [cand('Win', 0.6, 'a'), cand('Windows', 0.5, 'b')]);
  assert.equal(t.value, 'Win');
  assert.equal(t.alternatives[0]!.value, 'Windows');
});

test('case differences are one value; conflicts keep every value visible', () => {
  const h = combine('hostname', [cand('SCV', 0.85, 'nb'), cand('scv', 0.7, 'ntlm'), cand('other', 0.5, 'x')]);
  assert.equal(h.value, 'SCV');
  assert.equal(h.alternatives.length, 1);
  assert.equal(h.alternatives[0]!.value, 'other');
});

const RULES = compileRules([
  {
    family: 't',
    description: 'test rules',
    rules: [
      {
        id: 't.oui-rockwell',
        description: 'd',
        source: 's',
        confidence: 0.4,
        match: { oui: { prefix: 'Rockwell' } },
        yield: { vendor: '${value}', category: 'OT' },
      },
      {
        id: 't.cip-product',
        description: 'd',
        source: 's',
        confidence: 0.9,
        match: {
          fact: { kind: 'identity', protocol: 'enip', key: 'product', value: { regex: '^(?<m>1756-L\\d+)' } },
        },
        yield: { type: 'plc', model: '${m}' },
      },
      {
        id: 't.modbus-server',
        description: 'd',
        source: 's',
        confidence: 0.3,
        match: { serves: [502] },
        yield: { type: 'io-module', role: 'modbus-server' },
      },
      {
        id: 't.windows',
        description: 'd',
        source: 's',
        confidence: 0.5,
        match: { fact: { kind: 'fingerprint', key: 'tcp-syn', value: { prefix: '4:128:' } } },
        yield: { os: 'Windows', category: 'IT' },
      },
      {
        id: 't.poller',
        description: 'd',
        source: 's',
        confidence: 0.6,
        match: { all: [{ role: 'modbus-client' }, { peers: { protocol: 'modbus', min: 2 } }] },
        yield: { type: 'scada-server' },
      },
    ],
  },
]).rules;

test('classify: attributes carry evidence (rule, observation, frame, time); category follows the type', () => {
  const d = factsFromCase({
    oui: 'Rockwell Automation',
    served: [502],
    facts: {
      'identity/enip/Identity.productName/product': '1756-L61/B LOGIX5561',
      'fingerprint/tcp/syn/tcp-syn': '4:128:0:1460',
    },
  });
  const c = classify(d, RULES);
  assert.equal(c.type.value, 'plc');
  assert.equal(c.type.alternatives[0]!.value, 'io-module');
  assert.deepEqual(c.type.alternatives[0]!.rules, ['t.modbus-server']);
  assert.equal(c.model.value, '1756-L61');
  const e = c.model.evidence[0]!;
  assert.equal(e.rule, 't.cip-product');
  assert.equal(e.kind, 'identity');
  assert.equal(e.protocol, 'enip');
  assert.equal(e.value, '1756-L61/B LOGIX5561');
  assert.equal(e.frame, 1);
  assert.equal(e.time, '1970-01-01T00:00:00.000Z');
  assert.equal(c.vendor.value, 'Rockwell Automation');
  assert.equal(c.vendor.evidence[0]!.kind, 'oui');
  // The type says OT; the TCP signature's IT stays visible as a conflict.
  assert.equal(c.category.value, 'OT');
  assert.ok(c.category.alternatives.some((a) => a.value === 'IT' && a.rules.includes('t.windows')));
  assert.deepEqual(
    c.roles.map((r) => r.value),
    ['modbus-server'],
  );
  assert.deepEqual(c.purdue, { level: 1, reason: 'plc: controller (basic control)' });
  assert.deepEqual(c.unmatched, []);
});

test('fingerprints no rule used are reported as unmatched', () => {
  const c = classify(
    factsFromCase({
      facts: { 'fingerprint/dhcp/option55/dhcp': '1,2,3', 'fingerprint/tcp/syn/tcp-syn': '4:128:x' },
    }),
    RULES,
  );
  assert.deepEqual(
    c.unmatched.map((u) => `${u.scheme}:${u.value}`),
    ['dhcp:1,2,3'],
  );
});

test('factsOf reads a real inventory device: facts, roles, served ports, peers per protocol, OUI', () => {
  const inv = new Inventory({ vendorOf: (m) => (m === 0x00000bc3eeb01 ? 'Rockwell Automation' : null) });
  const base = { frame: 3, ts: 1_600_000_000_000 };
  const plc: Observation = {
    kind: 'identity',
    attr: 'product',
    value: '1756-L61/B LOGIX5561',
    device: { mac: '00:00:bc:3e:eb:01', ip: '10.0.0.5' },
    protocol: 'enip',
    field: 'Identity.productName',
    ...base,
  };
  const poll = (i: number): Observation => ({
    kind: 'role',
    role: 'modbus-client',
    peer: { mac: null, ip: `10.0.0.${10 + i}` },
    device: { mac: '00:11:22:33:44:55', ip: '10.0.0.2' },
    protocol: 'modbus',
    field: 'mbap',
    ...base,
  });
  inv.observe(plc);
  inv.observe(plc);
  inv.observe(poll(0));
  const hmi = inv.deviceFor({ mac: '00:11:22:33:44:55', ip: null })!;
  const peers = peerIndex(inv);
  const f = factsOf(inv.deviceFor({ mac: '00:00:bc:3e:eb:01', ip: null })!, inv, peers);
  assert.equal(f.oui, 'Rockwell Automation');
  assert.equal(f.facts.length, 1);
  assert.equal(f.facts[0]!.count, 2);
  assert.equal(f.facts[0]!.key, 'product');
  assert.equal(f.facts[0]!.value, '1756-L61/B LOGIX5561');
  assert.equal(f.facts[0]!.frame, 3);
  const c = classify(f, RULES);
  assert.equal(c.type.value, 'plc');
  assert.equal(c.vendor.value, 'Rockwell Automation');
  const h = factsOf(hmi, inv);
  assert.deepEqual(h.roles, ['modbus-client']);
});

test('peers per protocol come from the edges between devices', () => {
  const a = new Analyzer({ layers: LAYERS });
  const hmi = { mac: '00:11:22:33:44:55', ip: '10.0.0.2', port: 40000 };
  const send = (to: string, n: number) => {
    const frame = tcpFrame(
      hmi,
      { mac: `00:00:00:00:00:${to}`, ip: `10.0.0.${n}`, port: 502 },
      new Uint8Array(0),
      { flags: 0x02 },
    );
    a.frame(frame, 1, 1000, frame.length, 0);
  };
  send('0a', 10);
  send('0b', 11);
  send('0b', 11);
  const inv = a.inventory;
  const d = inv.deviceFor({ mac: '00:11:22:33:44:55', ip: null })!;
  const withIndex = factsOf(d, inv, peerIndex(inv));
  const scanned = factsOf(d, inv);
  assert.equal(withIndex.peers['tcp'], 2);
  assert.deepEqual(withIndex.peers, scanned.peers);
  const plc = factsOf(inv.deviceFor({ mac: '00:00:00:00:00:0b', ip: null })!, inv);
  assert.equal(plc.peers['tcp'], 1);
});

test('behaviour: peers on a protocol count distinct neighbours', () => {
  const c = classify(factsFromCase({ roles: ['modbus-client'], peers: { modbus: 3 } }), RULES);
  assert.equal(c.type.value, 'scada-server');
  assert.equal(c.purdue?.level, 2);
  const one = classify(factsFromCase({ roles: ['modbus-client'], peers: { modbus: 1 } }), RULES);
  assert.equal(one.type.value, null);
  assert.equal(one.purdue?.level, 2);
  assert.match(one.purdue!.reason, /^modbus-client:/);
});

test('applyClassification fills the device JSON (in place) and keeps what classification does not know', () => {
  const inv = new Inventory({ vendorOf: () => 'Rockwell Automation' });
  inv.observe({
    kind: 'identity',
    attr: 'product',
    value: '1756-L61/B',
    device: { mac: '00:00:bc:3e:eb:01', ip: null },
    protocol: 'enip',
    field: 'Identity.productName',
    frame: 1,
    ts: 0,
  });
  const d = inv.deviceFor({ mac: '00:00:bc:3e:eb:01', ip: null })!;
  const j = inv.deviceJson(d, false);
  assert.equal(j.type, null);
  const out = applyClassification(j, classify(factsOf(d, inv), RULES));
  assert.equal(out, j, 'filled in place');
  assert.equal(out.type, 'plc');
  assert.equal(out.category, 'OT');
  assert.equal(out.model, '1756-L61');
  assert.equal(out.os, null);
  assert.equal(out.attributes?.type?.evidence[0]?.rule, 't.cip-product');
  assert.deepEqual(out.purdue, { level: 1, reason: 'plc: controller (basic control)' });
});

test('Classifier re-classifies a device only when what rules read changed', () => {
  const inv = new Inventory();
  const obs = (value: string, frame: number): Observation => ({
    kind: 'identity',
    attr: 'product',
    value,
    device: { mac: '00:00:bc:3e:eb:01', ip: null },
    protocol: 'enip',
    field: 'Identity.productName',
    frame,
    ts: frame,
  });
  inv.observe(obs('1756-L61/B', 1));
  const d = inv.deviceFor({ mac: '00:00:bc:3e:eb:01', ip: null })!;
  const k = new Classifier(RULES);
  const a = k.classify(d, inv);
  assert.equal(a.model.value, '1756-L61');
  inv.observe(obs('1756-L61/B', 2));
  assert.equal(k.classify(d, inv), a, 'a repeated fact changes nothing');
  inv.observe(obs('1756-L71/B', 3));
  const b = k.classify(d, inv);
  assert.notEqual(b, a);
  assert.deepEqual(
    b.model.alternatives.map((x) => x.value).concat(b.model.value ?? ''),
    ['1756-L61', '1756-L71'].filter((m) => m !== b.model.value).concat(b.model.value ?? ''),
  );
  const json = [...inv.devices()].map((x) => k.apply(inv.deviceJson(x, false), x, inv));
  assert.equal(json.length, 1);
  assert.equal(json[0]!.type, 'plc');
  assert.equal(json[0]!.attributes?.model?.value, b.model.value);
});

test('Classifier keeps a classification while the peer counts it read are the same, in any order', () => {
  const inv = new Inventory();
  inv.observe({
    kind: 'identity',
    attr: 'product',
    value: '1756-L61/B',
    device: { mac: '00:00:bc:3e:eb:02', ip: null },
    protocol: 'enip',
    field: 'Identity.productName',
    frame: 1,
    ts: 1,
  });
  const d = inv.deviceFor({ mac: '00:00:bc:3e:eb:02', ip: null })!;
  const k = new Classifier(RULES);
  const peers = (r: Record<string, number>) => new Map([[d, r]]);
  const a = k.classify(d, inv, peers({ modbus: 2, http: 1 }));
  // A peer index rebuilt with the same counts (its records made in another order) reads the same.
  assert.equal(k.classify(d, inv, peers({ http: 1, modbus: 2 })), a);
  const b = k.classify(d, inv, peers({ modbus: 3, http: 1 }));
  assert.notEqual(b, a, 'a count changed');
  const c = k.classify(d, inv, peers({ modbus: 3 }));
  assert.notEqual(c, b, 'a protocol fewer');
  assert.notEqual(k.classify(d, inv, peers({ modbus: 3, s7: 1 })), c, 'a protocol more');
  assert.equal(a.model.value, '1756-L61');
});

test('a yield may carry its own confidence', () => {
  const r = compileRules([
    {
      family: 'w',
      description: 'd',
      rules: [
        {
          id: 'w.ntlm',
          description: 'd',
          source: 's',
          confidence: 0.9,
          match: { fact: { kind: 'identity', key: 'os-version', value: { regex: '^5\\.2\\.(?<b>\\d+)$' } } },
          yield: { os: 'Windows Server 2003, NT 5.2.${b}', type: { value: 'server', confidence: 0.45 } },
        },
      ],
    },
  ]);
  assert.deepEqual(r.errors, []);
  const c = classify(
    factsFromCase({ facts: { 'identity/smb/ntlmssp.auth.version/os-version': '5.2.3790' } }),
    r.rules,
  );
  assert.equal(c.os.value, 'Windows Server 2003, NT 5.2.3790');
  assert.equal(c.os.confidence, 0.9);
  assert.equal(c.type.value, 'server');
  assert.equal(c.type.confidence, 0.45);
});

test('one candidate combines as the same candidate beside a silent twin of it (the general path)', () => {
  const many = Array.from({ length: 20 }, (_, i) => ev('r', `v${i}`)[0]!);
  for (const confidence of [0.9, 0.7, 0.35, 1, 1.5, 0, -0.2, 0.123456789, NaN]) {
    for (const evidence of [ev('r', 'Windows 10'), many, []]) {
      const c: Candidate = { value: 'Windows 10', confidence, rule: 'r', evidence };
      // Same value (any case) and rule, no confidence, no evidence: it changes nothing in its group.
      const twin: Candidate = { value: 'WINDOWS 10', confidence: 0, rule: 'r', evidence: [] };
      const one = combine('os', [c]);
      assert.deepEqual(one, combine('os', [c, twin]), String(confidence));
      assert.notEqual(one.evidence, evidence);
      assert.equal(one.evidence.length, Math.min(evidence.length, 16));
    }
  }
});

test('factsOf: the key and value of every kind of fact', () => {
  const inv = new Inventory({ vendorOf: () => null });
  const at = {
    device: { mac: '02:00:00:00:00:07', ip: '10.0.0.7' },
    protocol: 'p',
    field: 'f',
    frame: 1,
    ts: 1,
  };
  const obs: Observation[] = [
    { kind: 'hostname', name: 'plc-7', ...at },
    { kind: 'name-query', name: 'wpad', ...at },
    { kind: 'address', ip: '10.0.0.9', name: null, ...at },
    { kind: 'address', ip: '10.0.0.8', name: 'nas.local', ...at },
    { kind: 'identity', attr: 'serial', value: 'SN-1', ...at },
    { kind: 'software', product: 'OpenSSH', version: '8.9', raw: 'OpenSSH_8.9p1', ...at },
    { kind: 'fingerprint', scheme: 'ja4', value: 't13d1516h2', ...at },
    { kind: 'role', role: 'dhcp-server', peer: null, ...at },
    { kind: 'service', transport: 'udp', port: 161, name: 'snmp', ...at },
    { kind: 'attribute', key: 'txt.model', value: 'X1', ...at },
    { kind: 'neighbor', chassisId: 'sw1', portId: 'Gi0/1', portDescription: null, vlan: null, ...at },
    { kind: 'neighbor', chassisId: 'sw2', portId: null, portDescription: 'uplink', vlan: null, ...at },
    { kind: 'neighbor', chassisId: 'sw3', portId: null, portDescription: null, vlan: null, ...at },
    { kind: 'finding', finding: 'snmp-community', detail: 'public', ...at },
  ];
  for (const o of obs) inv.observe(o);
  const f = factsOf(inv.deviceFor({ mac: '02:00:00:00:00:07', ip: null })!, inv);
  assert.deepEqual(
    f.facts.map((x) => `${x.kind}:${x.key}=${x.value}`),
    [
      'hostname:=plc-7',
      'name-query:=wpad',
      'address:10.0.0.9=10.0.0.9',
      'address:10.0.0.8=nas.local',
      'identity:serial=SN-1',
      'software:OpenSSH=OpenSSH_8.9p1',
      'fingerprint:ja4=t13d1516h2',
      'role:dhcp-server=dhcp-server',
      'service:snmp=udp/161',
      'attribute:txt.model=X1',
      'neighbor:sw1=Gi0/1',
      'neighbor:sw2=uplink',
      'neighbor:sw3=sw3',
      'finding:snmp-community=public',
    ],
  );
});
