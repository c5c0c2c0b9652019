import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { isCaptureTime, isoTime, isoTimeOrNull, MAX_TIME_MS } from '../../shared/util/time';
import { arp, ethernet } from '../helpers/packets';

function announce(m: string, ip: string): Uint8Array {
  return ethernet('ff:ff:ff:ff:ff:ff', m, 0x0806, arp(1, m, ip, '00:00:00:00:00:00', ip));
}

test('isoTime: any number formats without throwing, clamped to 1970..9999', () => {
  assert.equal(isoTime(1_700_000_000_000), '2023-11-14T22:13:20.000Z');
  assert.equal(isoTime(MAX_TIME_MS), '9999-12-31T23:59:59.999Z');
  assert.equal(isoTime(MAX_TIME_MS + 1), '9999-12-31T23:59:59.999Z');
  assert.equal(isoTime(1.8e22), '9999-12-31T23:59:59.999Z');
  for (const t of [0, -1, -1e22, NaN, Infinity, -Infinity])
    assert.equal(isoTime(t), '1970-01-01T00:00:00.000Z', String(t));
  assert.equal(isoTimeOrNull(1_700_000_000_000), '2023-11-14T22:13:20.000Z');
  for (const t of [null, -1, NaN, Infinity, MAX_TIME_MS + 1, 8.64e15])
    assert.equal(isoTimeOrNull(t), null, String(t));
  assert.ok(isCaptureTime(0) && !isCaptureTime(NaN) && !isCaptureTime(-0.5));
});

test("Analyzer: a time outside 1970..9999 is counted and takes its interface's last good time", () => {
  const a = createAnalyzer({ protocols: ['none'] });
  a.beginSource();
  const f = (m: string, ts: number, iface: number) => {
    const b = announce(m, '10.0.0.' + parseInt(m.slice(-2), 16));
    a.frame(b, 1, ts, b.length, iface);
  };
  f('00:00:00:00:00:01', 1_700_000_000_000, 0);
  f('00:00:00:00:00:02', NaN, 1); // interface 1 has no good time yet: the source's
  f('00:00:00:00:00:02', 1_700_000_005_000, 1);
  f('00:00:00:00:00:01', 1_700_000_010_000, 0);
  f('00:00:00:00:00:03', 1.8e19, 1); // interface 1's own last good time
  f('00:00:00:00:00:04', -1, 0);
  f('00:00:00:00:00:05', Infinity, 70000); // beyond the interfaces kept: the source's
  f('00:00:00:00:00:06', 0, 0); // no time at all (a simple packet block) is not a bad time
  const s = a.stats();
  assert.equal(s.badTimestamps, 4);
  assert.equal(s.firstSeen, '2023-11-14T22:13:20.000Z');
  assert.equal(s.lastSeen, '2023-11-14T22:13:30.000Z');
  const seen = (m: string) => {
    const d = a.snapshot().devices.find((x) => x.mac === m)!;
    return [d.firstSeen, d.lastSeen];
  };
  assert.deepEqual(seen('00:00:00:00:00:02'), ['2023-11-14T22:13:20.000Z', '2023-11-14T22:13:25.000Z']);
  assert.deepEqual(seen('00:00:00:00:00:03'), ['2023-11-14T22:13:25.000Z', '2023-11-14T22:13:25.000Z']);
  assert.deepEqual(seen('00:00:00:00:00:04'), ['2023-11-14T22:13:30.000Z', '2023-11-14T22:13:30.000Z']);
  assert.deepEqual(seen('00:00:00:00:00:05'), ['2023-11-14T22:13:30.000Z', '2023-11-14T22:13:30.000Z']);
  // A new source starts with no good time: its first bad frame has none (0, shown as the epoch).
  a.beginSource();
  f('00:00:00:00:00:07', 1e300, 0);
  assert.equal(a.stats().badTimestamps, 5);
  assert.deepEqual(seen('00:00:00:00:00:07'), ['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z']);
});
