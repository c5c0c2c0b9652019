import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateMeter } from '../../src-main/cli/rate-meter';

test('the peak rate is the fullest 1-second window of capture time', () => {
  const m = new RateMeter();
  assert.equal(m.peak, 0);
  const t0 = 1_700_000_000_000;
  for (let i = 0; i < 300; i++) m.add(t0 + i); // 300 frames within one second
  for (let i = 0; i < 500; i++) m.add(t0 + 1000 + i * 1.5); // 500 in the next
  for (let i = 0; i < 100; i++) m.add(t0 + 2000 + i * 9); // 100 in the third
  assert.equal(m.peak, 500);
});

test('a frame stamped a little earlier (another interface) joins the current window, never reopens an old one', () => {
  const m = new RateMeter();
  const t0 = 1_700_000_000_000;
  for (let i = 0; i < 10; i++) m.add(t0 + 1000 + i);
  m.add(t0 + 999); // late, from the previous second
  m.add(t0 + 1500);
  assert.equal(m.peak, 12);
});
