/**
 * Each store slice writes only its own fields: the compiler refuses another slice's field in `set`,
 * and a snapshot's capture status goes through the capture slice's action, which keeps the counter
 * samples and run start that belong with it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDLE_STATUS, type CaptureStatus } from '../../shared/ipc/contract';
import type { Slice } from '../../src-renderer/store/slice';
import { createGlasspaneStore } from '../../src-renderer/store/store';

// The compiler's half (tsc -p test): a slice naming another slice's field does not build.
const _foreignWrite: Slice<{ own: number }> = (set) => ({
  own: 0,
  // @ts-expect-error `capture` belongs to the capture slice
  grab: () => set({ own: 1, capture: IDLE_STATUS }),
});
void _foreignWrite;

const running = (packets: number): CaptureStatus => ({
  ...IDLE_STATUS,
  state: 'running',
  counters: { packets, bytes: packets * 100, drops: 0, malformed: 0 },
});

test("a snapshot's capture status reaches the capture slice through its action", () => {
  const store = createGlasspaneStore();
  assert.equal(store.getState().samples.length, 0);
  assert.equal(store.getState().runStartedAt, null);
  store.getState().applySnapshot({ sequence: 7, devices: [], edges: [], status: running(50) });
  const s = store.getState();
  assert.equal(s.sequence, 7);
  assert.deepEqual(s.capture, running(50));
  // Written straight into `capture`, the samples stayed empty: the rates had no first reading.
  assert.equal(s.samples.length, 1);
  assert.equal(s.samples[0]!.packets, 50);
  // The next status from the engine continues the same run.
  store.getState().setCapture(running(80));
  assert.deepEqual(
    store.getState().samples.map((x) => x.packets),
    [50, 80],
  );
});

test('a snapshot of an idle engine leaves the capture slice idle, with no readings', () => {
  const store = createGlasspaneStore();
  store.getState().applySnapshot({ sequence: 0, devices: [], edges: [], status: IDLE_STATUS });
  assert.equal(store.getState().capture.state, 'idle');
  assert.equal(store.getState().samples.length, 0);
  assert.equal(store.getState().runStartedAt, null);
});
