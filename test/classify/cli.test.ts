import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rulesCheckCommand } from '../../src-main/cli/rules';
import { fingerprintsCommand } from '../../src-main/cli/fingerprints';
import { PCAPS, skipUnlessCorpus } from '../helpers/corpus';

/** Run fn with standard output and error captured. */
async function captured<T>(fn: () => Promise<T>): Promise<{ result: T; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => (
    (out += String(s)),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (
    (err += String(s)),
    true
  )) as typeof process.stderr.write;
  try {
    return { result: await fn(), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

test('rules check: the shipped rules pass and the summary counts them', async () => {
  const r = await captured(() => rulesCheckCommand());
  assert.equal(r.result, 0, r.err);
  assert.match(
    r.out,
    /^\d{3,} rules in \d+ files, \d+ test cases pass(; lookup tables: \d+ \(\d+ rows\))?\n/,
  );
  assert.match(r.out, /\n {2}dhcp +\d+\n/);
});

test('rules check: errors name the file and the rule, exit code 1', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gp-rules-'));
  writeFileSync(
    path.join(dir, 'bad.yaml'),
    [
      'family: bad',
      'description: broken on purpose',
      'rules:',
      '  - id: bad.no-cases',
      '    description: d',
      '    source: s',
      '    confidence: 0.5',
      '    match: { oui: Acme }',
      '    yield: { type: plc }',
      '  - id: bad.type',
      '    description: d',
      '    source: s',
      '    confidence: 0.5',
      '    match: { oui: Acme }',
      '    yield: { type: toaster }',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'broken.yaml'), 'family: [unclosed\n');
  const r = await captured(() => rulesCheckCommand(dir));
  assert.equal(r.result, 1);
  assert.match(r.err, /bad\.yaml: rule bad\.type: yield\.type: 'toaster' is not a type/);
  assert.match(r.err, /bad: bad\.no-cases: no test case that fires it/);
  assert.match(r.err, /broken\.yaml: YAML:/);
});

test('fingerprints --unknown: JSON rows with counts and devices', async (t) => {
  const file = path.join(PCAPS, 'dhcp__zeek__dhcp_discover_param_req_and_client_id.pcap');
  if (skipUnlessCorpus(t, file)) return;
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'gp-fp-')), 'fp.json');
  const r = await fingerprintsCommand([file], { unknown: true, format: 'json', out, scheme: ['dhcp'] });
  assert.equal(r, 0);
  const rows = JSON.parse(readFileSync(out, 'utf8')) as {
    scheme: string;
    value: string;
    count: number;
    devices: { id: string }[];
  }[];
  const row = rows.find((x) => x.value === '1,3,6,42');
  assert.ok(row !== undefined, JSON.stringify(rows));
  assert.equal(row.scheme, 'dhcp');
  assert.ok(row.count >= 1);
  assert.deepEqual(
    row.devices.map((d) => d.id),
    ['mac:00:0b:82:01:fc:42'],
  );
  assert.ok(rows.every((x) => x.scheme === 'dhcp'));
});

test('rules check: a rule naming a protocol, field or key no dissector declares is rejected, with the near name', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gp-rules-'));
  const rule = (id: string, fact: string, caseKey: string) =>
    [
      `  - id: ${id}`,
      '    description: d',
      '    source: s',
      '    confidence: 0.5',
      `    match: { fact: { ${fact} } }`,
      '    yield: { type: plc }',
      '    tests:',
      `      fire: [{ facts: { ${caseKey}: x } }]`,
      `      miss: [{ facts: { identity/made-up/anything/any: x } }]`,
    ].join('\n');
  writeFileSync(
    path.join(dir, 'names.yaml'),
    [
      'family: names',
      'description: misspelt names on purpose',
      'rules:',
      rule(
        'names.protocol',
        'kind: identity, protocol: enipp',
        'identity/enipp/Identity.productName/product',
      ),
      rule(
        'names.field',
        'kind: identity, protocol: enip, field: Identity.productNme',
        'identity/enip/Identity.productName/product',
      ),
      rule(
        'names.key',
        'kind: identity, protocol: enip, key: device-typ',
        'identity/enip/Identity.deviceType/device-typ',
      ),
      rule(
        'names.good',
        'kind: identity, protocol: enip, key: device-type',
        'identity/enip/Identity.deviceType/device-type',
      ),
      '',
    ].join('\n'),
  );
  const r = await captured(() => rulesCheckCommand(dir));
  assert.equal(r.result, 1);
  assert.match(
    r.err,
    /names\.yaml: rule names\.protocol: unknown protocol 'enipp' \(did you mean 'enip'\?\)/,
  );
  assert.match(
    r.err,
    /names\.yaml: rule names\.field: unknown field 'Identity\.productNme' of protocol 'enip' \(did you mean 'Identity\.productName'\?\)/,
  );
  assert.match(
    r.err,
    /names\.yaml: rule names\.key: unknown identity key 'device-typ' of protocol 'enip' \(did you mean 'device-type'\?\)/,
  );
  assert.match(r.err, /names\.key: fire case 1: unknown identity key 'device-typ'/);
  // The well-named rule and the miss cases (which may describe anything) say nothing.
  assert.doesNotMatch(r.err, /names\.good|made-up/);
});
