import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Evidence } from '../../shared/inventory/evidence';
import type { Observation } from '../../shared/model/observation';

const device = { mac: '00:00:5e:00:00:01', ip: null };
const base = { device, protocol: 'enip', frame: 1, ts: 1000 };
const id = (attr: 'vendor' | 'product' | 'serial', value: string, field = 'ListIdentity'): Observation => ({
  ...base,
  kind: 'identity',
  attr,
  value,
  field,
});

test('restated facts are found in order, out of order, and never confused with a near twin', () => {
  const ev = new Evidence();
  // Built fresh each time, as a dissector's wire text is: the same characters, another string.
  const fresh = (s: string) => s.split('').join('');
  const reply = (frame: number, ts: number) => [
    { ...id('vendor', fresh('Rockwell')), frame, ts },
    { ...id('product', fresh('1756-L71')), frame, ts },
    { ...id('serial', fresh('00c0ffee')), frame, ts },
  ];
  for (const o of reply(1, 1000)) ev.add(o);
  for (const o of reply(2, 2000)) ev.add(o);
  // Out of order, then twins of the last fact found: the same value under another attribute, field
  // or kind is another fact.
  ev.add({ ...id('serial', fresh('00c0ffee')), frame: 3, ts: 3000 });
  ev.add({ ...id('vendor', fresh('Rockwell')), frame: 3, ts: 3000 });
  ev.add({ ...id('product', fresh('Rockwell')), frame: 4, ts: 4000 });
  ev.add({ ...id('vendor', fresh('Rockwell'), 'ListIdentity2'), frame: 4, ts: 4000 });
  ev.add({
    ...base,
    kind: 'attribute',
    key: 'vendor',
    value: 'Rockwell',
    field: 'ListIdentity',
    frame: 5,
    ts: 5000,
  });
  ev.add({ ...id('vendor', fresh('Rockwell')), frame: 6, ts: 6000 });
  const got = ev
    .list()
    .map((f) => `${f.kind} ${f.field} ${f.value} x${f.count} #${f.firstFrame} ${f.lastSeen.slice(17, 19)}`);
  assert.deepEqual(got, [
    'identity ListIdentity vendor=Rockwell x4 #1 06',
    'identity ListIdentity product=1756-L71 x2 #1 02',
    'identity ListIdentity serial=00c0ffee x3 #1 03',
    'identity ListIdentity product=Rockwell x1 #4 04',
    'identity ListIdentity2 vendor=Rockwell x1 #4 04',
    'attribute ListIdentity vendor=Rockwell x1 #5 05',
  ]);
});
