import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoTime, isoTimeOrNull, MAX_TIME_MS } from '../../shared/util/time';

// isoTime formats by arithmetic: it must write exactly what Date's toISOString writes.
const date = (t: number) => new Date(t).toISOString();

test('isoTime: the same text as toISOString at every month boundary from 1970 to 9999', () => {
  let n = 0;
  for (let y = 1970; y <= 9999; y++)
    for (let m = 0; m < 12; m++) {
      const t = Date.UTC(y, m, 1);
      for (const u of [t - 1, t, t + 1, t + 86_399_999])
        if (u >= 0 && u <= MAX_TIME_MS) {
          assert.equal(isoTime(u), date(u));
          n++;
        }
    }
  assert.ok(n > 380_000);
});

test('isoTime: leap days, the last instant, fractions of a millisecond', () => {
  for (const s of [
    '1972-02-29T12:34:56.789Z',
    '2000-02-29T23:59:59.999Z',
    '2100-02-28T23:59:59.999Z',
    '2100-03-01T00:00:00.000Z',
    '2400-02-29T00:00:00.001Z',
  ])
    assert.equal(isoTime(Date.parse(s)), s);
  assert.equal(isoTime(MAX_TIME_MS), '9999-12-31T23:59:59.999Z');
  assert.equal(isoTimeOrNull(0), '1970-01-01T00:00:00.000Z');
  assert.equal(isoTimeOrNull(-0), '1970-01-01T00:00:00.000Z');
  for (const t of [0.5, 1.999, 1_700_000_000_000.999, MAX_TIME_MS - 0.25]) {
    assert.equal(isoTime(t), date(t), String(t));
    assert.equal(isoTimeOrNull(t), date(t), String(t));
  }
});

test('isoTime: the same text as toISOString for random times', () => {
  // A fixed linear congruential sequence: the same 200k times each run.
  let x = 12345;
  for (let i = 0; i < 200_000; i++) {
    x = (Math.imul(x, 1_103_515_245) + 12345) >>> 0;
    const t = Math.floor((x / 2 ** 32) * MAX_TIME_MS) + (i & 1 ? 0 : (x & 1023) / 1024);
    assert.equal(isoTime(t), date(t));
    assert.equal(isoTimeOrNull(t), date(t));
  }
});
