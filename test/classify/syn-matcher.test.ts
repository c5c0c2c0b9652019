import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkRuleNames, classify, compileRules, factsFromCase } from '../../shared/classify';
import { MAX_DISTANCE, parseSignature, synMatcher, synTest } from '../../shared/classify/syn-matcher';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers/index';
import { IT_PROTOCOLS } from '../../shared/protocols/it/index';
import { synObservations } from '../helpers/decode';
import { readRules } from '../../src-main/classify/load';
import { knownNames } from '../../src-main/cli/rules';
import { tcpFrame } from '../helpers/packets';

const A = { mac: '02:00:00:00:00:10', ip: '10.0.0.10', port: 50123 };
const B = { mac: '02:00:00:00:00:30', ip: '10.0.0.30', port: 443 };
const MSS_1460 = [2, 4, 0x05, 0xb4];
const NOP = [1];
const WSCALE_8 = [3, 3, 8];
const SACK_OK = [4, 2];
const TS = [8, 10, 0, 0, 0, 1, 0, 0, 0, 0];

/** The signature the dissector writes for a SYN built from these options, window and IP header. */
function signature(
  options: number[],
  window: number,
  ip: { ttl: number; df?: boolean; id?: number },
): string {
  const f = tcpFrame(A, B, new Uint8Array(0), { flags: 0x02, window, options, seq: 1 }, ip);
  const [o] = synObservations(new Decoder(LAYERS, IT_PROTOCOLS).decode(f, 1, 0, 1, f.length));
  assert.ok(o !== undefined && o.kind === 'fingerprint');
  return o.value;
}

const windows = signature([...MSS_1460, ...NOP, ...WSCALE_8, ...NOP, ...NOP, ...SACK_OK], 64240, {
  ttl: 121,
  df: true,
  id: 7,
});
const linux = signature([...MSS_1460, ...SACK_OK, ...TS, ...NOP, ...WSCALE_8], 64240, {
  ttl: 58,
  df: true,
  id: 0,
});

test('the shipped tcp-syn rules read real SYNs field by field', () => {
  assert.equal(windows, '4:128:0:1460:64240:8:M,N,W,N,N,S:df');
  const rules = readRules().rules.filter((r) => r.family === 'tcp-syn');
  assert.ok(rules.length >= 8);
  const os = (sig: string) =>
    classify(factsFromCase({ facts: { 'fingerprint/tcp/syn/tcp-syn': sig } }), rules);
  assert.equal(os(windows).os.value, 'Windows');
  assert.equal(os(windows).os.evidence[0]!.rule, 'tcp-syn.windows-modern');
  assert.equal(os(linux).os.value, 'Linux');
  // The same options from a TTL-64 stack are not Windows.
  const notWindows = signature([...MSS_1460, ...NOP, ...WSCALE_8, ...NOP, ...NOP, ...SACK_OK], 64240, {
    ttl: 60,
  });
  assert.notEqual(os(notWindows).os.value, 'Windows');
});

test('TTL as p0f reads it: at most the initial TTL and at most 35 hops below it; the hops captured', () => {
  // A Linux SYN heard at TTL 30: the observer rounds it up to 32 and states 2 hops below that.
  const far = '4:32:0:1460:29200:7:M,S,T,N,W:df';
  const at = (spec: Parameters<typeof synTest>[0], sig: string, d: number[]) => synTest(spec)(sig, d);
  assert.deepEqual(at({ ttl: 64 }, far, [2]), { distance: '34' });
  assert.deepEqual(at({ ttl: 32 }, far, [2]), { distance: '2' });
  assert.deepEqual(at({ ttl: [255, 64] }, far, [2]), { distance: '34' });
  assert.equal(at({ ttl: 64 }, far, [3])?.distance, String(MAX_DISTANCE));
  assert.equal(at({ ttl: 64 }, far, [4]), null, 'heard at 28: 36 hops from 64');
  // A TTL above the rule's initial TTL is never its host's (128 is not reached from 255's 200).
  assert.equal(at({ ttl: 128 }, '4:255:0:1460:8192:8:M,N,W,N,N,S:df', [55]), null);
  // Heard at 88: 40 hops from 128 is too far; 30 (at 98) is not. Any of the distances heard may do.
  const win = '4:128:0:1460:8192:8:M,N,W,N,N,S:df';
  assert.equal(at({ ttl: 128 }, win, [40]), null);
  assert.deepEqual(at({ ttl: 128 }, win, [40, 30]), { distance: '30' });
  // No distance stated: heard at the initial TTL (test cases, older stores), as before.
  assert.deepEqual(synMatcher({ ttl: 128 })(win), { distance: '0' });
  assert.equal(synMatcher({ ttl: 64 })(win), null);
  // A rule without a TTL takes any distance.
  assert.deepEqual(at({ options: 'M,N,W,N,N,S' }, win, [60]), { distance: '60' });
});

test('the SYN observer states the hops below the initial TTL; the shipped rules read them', () => {
  const f = tcpFrame(
    A,
    B,
    new Uint8Array(0),
    { flags: 0x02, window: 64240, options: [...MSS_1460, ...SACK_OK, ...TS, ...NOP, ...WSCALE_8], seq: 1 },
    {
      ttl: 30,
      df: true,
    },
  );
  const obs = synObservations(new Decoder(LAYERS, IT_PROTOCOLS).decode(f, 1, 0, 1, f.length));
  const dist = obs.find((o) => o.kind === 'attribute' && o.key === 'tcp.distance');
  assert.ok(dist !== undefined && dist.kind === 'attribute');
  assert.deepEqual([dist.protocol, dist.field, dist.value], ['tcp', 'syn', '2']);
  const sig = obs.find((o) => o.kind === 'fingerprint');
  assert.ok(sig !== undefined && sig.kind === 'fingerprint');
  assert.equal(sig.value.split(':')[1], '32');
  const rules = readRules().rules.filter((r) => r.family === 'tcp-syn');
  const os = (d: string) =>
    classify(
      factsFromCase({
        facts: { 'fingerprint/tcp/syn/tcp-syn': sig.value, 'attribute/tcp/syn/tcp.distance': d },
      }),
      rules,
    ).os.value;
  // Rounding alone read TTL 30 as a TTL-32 stack; 34 hops from 64 it is Linux, 36 hops it is not.
  assert.equal(os('2'), 'Linux');
  assert.equal(os('4'), null);
});

test('window as a multiple of the MSS, a range, or a value; layouts; quirks present and absent', () => {
  const m = (spec: Parameters<typeof synMatcher>[0]) => {
    const f = synMatcher(spec);
    return (s: string) => f(s) !== null;
  };
  // 64240 = 44 x 1460.
  assert.equal(m({ window: { mss: 44 } })(linux), true);
  assert.equal(m({ window: { mss: 45 } })(linux), false);
  assert.equal(m({ window: { mss: 44 } })('4:64:0:*:64240:7:W:'), false);
  assert.equal(m({ window: [8192, { range: [64000, 65535] }] })(linux), true);
  assert.equal(m({ window: [8192, { range: [10000, 19999] }] })(linux), false);
  assert.equal(m({ ttl: [64, 255], options: ['M', 'M,S,T,N,W'] })(linux), true);
  assert.equal(m({ ttl: 128 })(linux), false);
  assert.equal(m({ version: 6 })(linux), false);
  assert.equal(m({ mss: [1380, 1460], wscale: 8, ipopts: 0 })(linux), true);
  assert.equal(m({ wscale: 7 })(linux), false);
  assert.equal(m({ quirks: { has: ['df', 'id0'] } })(linux), true);
  assert.equal(m({ quirks: { has: ['df'], lacks: ['id0'] } })(linux), false);
  assert.equal(m({ quirks: { lacks: ['id0'] } })(windows), true);
  // A field left out accepts anything, an absent value included.
  assert.equal(m({ ttl: 64 })('4:64:0:*:*:*:*:'), true);
});

test('hostile signature strings are no signature, and never throw', () => {
  for (const s of [
    '',
    ':::::::',
    '4:64:0:1460:64240:7:M',
    '4:64:0:1460:64240:7:M::x',
    'x:64:0:1:1:1:M:',
    '4:64:0:1e3:1:1:M:',
  ])
    assert.equal(parseSignature(s), null, s);
  assert.equal(parseSignature('4:64:0:1460:64240:7:M:' + 'df,'.repeat(200)), null);
  const any = synMatcher({ ttl: 64, window: { mss: 2 }, quirks: { has: ['df'] } });
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      const r = any(s);
      return r === null || typeof r === 'object';
    }),
    { numRuns: 2000 },
  );
});

test('rules check rejects a bad layout, a TTL that is no initial TTL, an unknown quirk', () => {
  const rule = (syn: object) => ({
    family: 'x',
    description: 'd',
    rules: [
      { id: 'x.s', description: 'd', source: 's', confidence: 0.4, match: { syn }, yield: { os: 'X' } },
    ],
  });
  const err = (syn: object) => compileRules([rule(syn)], ['x.yaml']).errors.join('\n');
  assert.match(err({ options: 'M;S' }), /rules\.0\.match.*option layout is M N W S K T E/s);
  assert.match(err({ ttl: 100 }), /x\.yaml: rule x\.s rules\.0\.match/);
  assert.match(err({ quirks: { has: ['odd'] } }), /x\.yaml: rule x\.s rules\.0\.match/);
  assert.equal(err({ ttl: 64, options: ['M,?30,N', '*'], quirks: { lacks: ['ecn'] } }), '');
});

test('rules check holds a syn test to the signatures the tcp dissector declares', () => {
  const rules = readRules().rules.filter((r) => r.family === 'tcp-syn');
  const known = knownNames();
  for (const r of rules) assert.deepEqual(checkRuleNames(r, known), [], r.id);
  // Without a dissector declaring the schemes, the check names them.
  const none = { ...known, facts: new Map([...known.facts].filter(([p]) => p !== 'tcp')) };
  assert.match(
    checkRuleNames(
      rules.find((r) => r.id === 'tcp-synack.linux')!,
      none,
    ).join('\n'),
    /'tcp-synack'/,
  );
});
