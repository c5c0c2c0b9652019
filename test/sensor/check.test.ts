// A console's check of what sensors publish: real deltas from a real capture pass; a sensor that
// speaks for another site or sensor, edits, malformed envelopes and hostile fields are refused, and
// the check never throws. Chunks of a delta merge back to the whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import { analyzerPartial } from '../../shared/engine/analyzer-partial';
import { mergeAll, type PartialInventory } from '../../shared/inventory/partial';
import { checkSensorMessage } from '../../shared/sensor/check';
import { splitPartial } from '../../shared/sensor/chunk';
import { nameProblem, parseSubject } from '../../shared/sensor/subjects';
import { PCAPS } from '../helpers/corpus';

const CAPTURE = join(PCAPS, 'bacnet__icsnpp-bacnet__bacnet_example.pcap');
const skip = existsSync(CAPTURE) ? false : 'the shared capture corpus is not here';
const subject = { site: 'a', sensor: 's1', kind: 'delta' as const };

async function delta(site = 'a', sensor = 's1'): Promise<PartialInventory> {
  const an = createAnalyzer();
  await analyzeFile(an, CAPTURE);
  return analyzerPartial(an, { site, sensor, run: 'r1' });
}

const envelope = (partial: unknown, over: Record<string, unknown> = {}) => ({
  v: 1,
  kind: 'delta',
  site: 'a',
  sensor: 's1',
  run: 'r1',
  n: 1,
  partial,
  ...over,
});

test(
  'a real delta passes; one that speaks for another site or sensor is refused whole',
  { skip },
  async () => {
    const own = await delta();
    assert.ok(own.devices.length >= 42);
    const ok = checkSensorMessage(JSON.parse(JSON.stringify(envelope(own))), subject);
    assert.equal(ok?.kind, 'delta');
    // Site b's partial, on site a's subject: refused even when the envelope says a.
    assert.equal(checkSensorMessage(envelope(await delta('b')), subject), null);
    // Another sensor of the same site.
    assert.equal(checkSensorMessage(envelope(await delta('a', 's2')), subject), null);
    // The envelope contradicting the subject.
    assert.equal(checkSensorMessage(envelope(own, { sensor: 's2' }), subject), null);
    assert.equal(checkSensorMessage(envelope(own, { kind: 'alert' }), subject), null);
    // A person's edit never comes from a sensor.
    const edited = {
      ...own,
      edits: [{ device: own.devices[0]!.key, field: 'name', value: 'x', time: 1, author: 'me' }],
    };
    assert.equal(checkSensorMessage(envelope(edited), subject), null);
  },
);

test('hostile messages are refused without throwing', { skip }, async () => {
  const own = await delta();
  const cases: unknown[] = [
    null,
    42,
    'delta',
    [],
    {},
    envelope(null),
    envelope({}),
    envelope(own, { v: 2 }),
    envelope(own, { n: -1 }),
    envelope(own, { run: '../x' }),
    envelope(own, { site: 'a.b' }),
    envelope({ ...own, devices: [{ ...own.devices[0]!, states: 'x' }] }),
    envelope({ ...own, devices: [{ ...own.devices[0]!, site: 'b' }] }),
  ];
  for (const c of cases) assert.equal(checkSensorMessage(c, subject), null, JSON.stringify(c)?.slice(0, 80));
  const alert = (a: unknown) => ({ v: 1, kind: 'alert', site: 'a', sensor: 's1', run: 'r1', n: 1, alert: a });
  const good = {
    id: 'x',
    at: '2024-01-01T00:00:00Z',
    severity: 'high',
    kind: 'new-device',
    deviceId: null,
    message: 'm',
    detail: {},
  };
  const as = { ...subject, kind: 'alert' as const };
  assert.equal(checkSensorMessage(alert(good), as)?.kind, 'alert');
  assert.equal(checkSensorMessage(alert({ ...good, severity: 'apocalyptic' }), as), null);
  assert.equal(checkSensorMessage(alert({ ...good, message: 'x'.repeat(5000) }), as), null);
  assert.equal(checkSensorMessage(alert({ ...good, detail: { a: { nested: 1 } } }), as), null);
});

test('a delta cut into pieces merges back to the whole', { skip }, async () => {
  const own = await delta();
  const pieces = splitPartial(own, 4096);
  assert.ok(pieces.length > 5, `${pieces.length} pieces`);
  // Under twice the bound, but for a record larger than it, which goes alone (a gateway seen one
  // way lists its facts by address).
  const records = (p: PartialInventory) => p.devices.length + p.edges.length + p.dns.length;
  assert.ok(pieces.every((p) => JSON.stringify(p).length < 4096 * 2 || records(p) === 1));
  assert.ok(pieces.filter((p) => records(p) > 1).length > 5);
  assert.deepEqual(mergeAll(pieces.reverse()), mergeAll([own]));
});

test('names: subject tokens only', () => {
  for (const ok of ['a', 'plant-1', 'Cell_3', '0'.repeat(64)])
    assert.equal(nameProblem('site', ok), null, ok);
  for (const bad of ['', 'a.b', 'a*', '>', 'a b', '-a', '_a', 'a/b', 'x'.repeat(65), 'é'])
    assert.match(nameProblem('site', bad) ?? '', /site name/, bad);
  assert.deepEqual(parseSubject('glasspane.a.s1.health'), { site: 'a', sensor: 's1', kind: 'health' });
  assert.equal(parseSubject('glasspane.a.s1.other'), null);
  assert.equal(parseSubject('glasspane.a.s1.delta.x'), null);
});
