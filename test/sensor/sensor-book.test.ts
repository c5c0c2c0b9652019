// The console's judgement of sensors (src-main/engine/sensor-book.ts), on a clock the test moves: a
// silent sensor is disconnected with ONE alert however often it is checked, and one "reconnected"
// when it speaks again; a gap found in a replay raises the same alerts with the same ids; a sensor
// that said it stopped is stopped, not disconnected; a skewed clock is flagged once per run, and a
// message that waited in the outbox is late, not skewed. Wording comes from the alert policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertJson } from '../../shared/model/alert';
import type { HealthMessage } from '../../shared/sensor/messages';
import { DEFAULT_POLICY } from '../../shared/alerts/policy';
import { SensorBook } from '../../src-main/engine/sensor-book';

const T0 = Date.parse('2026-12-06T10:00:00Z');
const MIN = 60_000;

function health(at: number, o: Partial<HealthMessage> = {}): HealthMessage {
  return {
    v: 1,
    kind: 'health',
    site: 'plant-1',
    sensor: 'cell-3',
    run: 'r1',
    n: 1,
    version: '0.1.0',
    mode: 'live',
    clock: new Date(at).toISOString(),
    startedAt: new Date(T0).toISOString(),
    uptimeS: (at - T0) / 1000,
    interfaces: ['eth1'],
    packets: 1000,
    analysed: 1000,
    drops: 10,
    packetRate: 100,
    dropRate: 0.01,
    devices: 5,
    queued: 0,
    queuedBytes: 0,
    bufferDropped: 0,
    ...o,
  };
}

function book(silenceMs = 5 * MIN) {
  let now = T0;
  const alerts: AlertJson[] = [];
  const b = new SensorBook((a) => alerts.push(...a), { silenceMs, maxSkewMs: 30_000, now: () => now });
  return { b, alerts, at: (t: number) => (now = t) };
}

test('silent past the threshold: disconnected with one alert; speaking again: one reconnected', () => {
  const { b, alerts, at } = book();
  b.health(health(T0), T0);
  at(T0 + 4 * MIN);
  b.check();
  assert.equal(b.list()[0]!.state, 'connected');
  assert.equal(alerts.length, 0);
  for (const t of [5 * MIN + 1000, 6 * MIN, 30 * MIN]) {
    at(T0 + t);
    b.check();
  }
  assert.equal(b.list()[0]!.state, 'disconnected');
  assert.deepEqual(
    alerts.map((a) => a.kind),
    ['sensor.disconnected'],
  );
  assert.equal(alerts[0]!.severity, DEFAULT_POLICY['sensor.disconnected'].severity);
  assert.match(
    alerts[0]!.message,
    /sensor cell-3 at site plant-1 is silent: no health message since 2026-12-06T10:00:00.000Z \(more than 5 min\)/,
  );
  assert.equal(alerts[0]!.detail.site, 'plant-1');
  b.health(health(T0 + 31 * MIN), T0 + 31 * MIN);
  b.check();
  assert.equal(b.list()[0]!.state, 'connected');
  assert.deepEqual(
    alerts.map((a) => a.kind),
    ['sensor.disconnected', 'sensor.reconnected'],
  );
  assert.match(alerts[1]!.message, /back after 31 min of silence/);
});

test('a gap found in a replay raises the same alerts, with the same ids, as a console that watched live', () => {
  const live = book();
  live.b.health(health(T0), T0);
  live.at(T0 + 10 * MIN);
  live.b.check();
  live.b.health(health(T0 + 20 * MIN), T0 + 20 * MIN);
  live.at(T0 + 60 * MIN);
  live.b.check();
  const late = book();
  late.at(T0 + 60 * MIN);
  late.b.health(health(T0), T0);
  late.b.health(health(T0 + 20 * MIN), T0 + 20 * MIN);
  late.b.check();
  assert.deepEqual(
    late.alerts.map((a) => [a.id, a.kind]),
    live.alerts.map((a) => [a.id, a.kind]),
  );
  // Down, back, and silent again since 10:20.
  assert.deepEqual(
    late.alerts.map((a) => a.kind),
    ['sensor.disconnected', 'sensor.reconnected', 'sensor.disconnected'],
  );
  // Every 10 s, as sensors send: no gap, no alert.
  const steady = book();
  for (let t = 0; t < 20 * MIN; t += 10_000) steady.b.health(health(T0 + t), T0 + t);
  assert.equal(steady.alerts.length, 0);
});

test('a sensor whose last message said it stopped is stopped, not disconnected', () => {
  const { b, alerts, at } = book();
  b.health(health(T0, { final: true, mode: 'read' }), T0);
  at(T0 + 60 * MIN);
  b.check();
  assert.equal(b.list()[0]!.state, 'stopped');
  assert.equal(alerts.length, 0);
});

test('a clock off by more than the threshold is flagged, once per run; a message that waited is not', () => {
  const { b, alerts } = book();
  // The sensor's clock is 2 minutes behind the broker's.
  b.health(health(T0 - 2 * MIN), T0);
  b.health(health(T0 + 10_000 - 2 * MIN, { n: 2 }), T0 + 10_000);
  const s = b.list()[0]!;
  assert.equal(s.skewed, true);
  assert.equal(s.clockOffsetMs, -2 * MIN);
  assert.deepEqual(
    alerts.map((a) => a.kind),
    ['sensor.clock-skew'],
  );
  assert.match(alerts[0]!.message, /its clock is 2 min off the console's \(more than 30 s\)/);
  // A new run of a sensor with a good clock whose messages waited in its outbox (queued): late, not skewed.
  const other = book();
  other.b.health(health(T0, { run: 'r2', queued: 40 }), T0 + 10 * MIN);
  assert.equal(other.alerts.filter((a) => a.kind === 'sensor.clock-skew').length, 0);
  // Within the threshold: not flagged.
  const fine = book();
  fine.b.health(health(T0 + 20_000), T0);
  assert.equal(fine.b.list()[0]!.skewed, false);
  assert.equal(fine.alerts.length, 0);
});

test('the policy words and grades sensor alerts', () => {
  let now = T0;
  const alerts: AlertJson[] = [];
  const b = new SensorBook((a) => alerts.push(...a), {
    now: () => now,
    policy: {
      ...DEFAULT_POLICY,
      'sensor.disconnected': { severity: 'critical', text: '{site}/{sensor} gone' },
    },
  });
  b.health(health(T0), T0);
  now = T0 + 6 * MIN;
  b.check();
  assert.equal(alerts[0]!.severity, 'critical');
  assert.equal(alerts[0]!.message, 'plant-1/cell-3 gone');
});
