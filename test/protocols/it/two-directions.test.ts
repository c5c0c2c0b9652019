import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwoDirections } from '../../../shared/protocols/it/stream';

test('TwoDirections holds two directions as the Map it replaced did, and a third clears both', () => {
  const d = new TwoDirections<{ done: boolean }>();
  const done = (v: { done: boolean }) => v.done;
  assert.equal(d.size, 0);
  assert.equal(d.get(0), undefined);
  const a = { done: true };
  const b = { done: false };
  d.add(0, a);
  assert.equal(d.size, 1);
  assert.equal(d.get(0), a);
  assert.equal(d.both(done), false);
  d.add(7, b);
  assert.equal(d.size, 2);
  assert.equal(d.get(7), b);
  assert.equal(d.both(done), false);
  b.done = true;
  assert.equal(d.both(done), true);
  const c = { done: false };
  d.add(9, c);
  assert.equal(d.size, 1);
  assert.equal(d.get(0), undefined);
  assert.equal(d.get(7), undefined);
  assert.equal(d.get(9), c);
  assert.equal(d.both(done), false);
});
