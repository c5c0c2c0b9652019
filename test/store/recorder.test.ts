import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Recorder } from '../../src-main/store/recorder';
import { Session, T0, chat, host, tempDb } from './session';

const A = host(10);
const B = host(11);

test('stop() keeps the run’s final counters: a source that ends after the last batch is in the stored stats', () => {
  const s = new Session(tempDb());
  s.analyzer.beginSource();
  s.feed([chat(A, B, T0)]);
  assert.ok(s.tick() !== null, 'the frame made a batch');
  // The source ends with no device changed: no batch carries its entry.
  s.analyzer.endSource({ path: 'one.pcap', format: 'pcap', frames: 1, warnings: [] });
  assert.equal(s.tick(), null);
  assert.deepEqual(s.store.snapshot().stats.sources, [], 'the last commit predates the source’s end');
  s.rec.stop();
  assert.deepEqual(
    s.store.snapshot().stats.sources.map((x) => x.path),
    ['one.pcap'],
  );
  s.store.close();
});

test('a commit that fails stops the recording; the run goes on and its alerts still reach listeners', () => {
  const s = new Session(tempDb());
  const errors: unknown[] = [];
  const rec = new Recorder(s.analyzer, s.store, { learnMs: 0, onError: (e) => errors.push(e) });
  const seen: number[] = [];
  rec.on((r) => seen.push(r.delta?.upserts.length ?? 0));
  s.feed([chat(A, B, T0)]);
  s.store.close();
  const r = rec.tick()!;
  assert.equal(rec.recording, false);
  assert.equal(errors.length, 1);
  assert.equal(r.stored, null);
  assert.ok(r.delta!.upserts.length >= 2, 'the batch is handed on without the store');
  assert.ok(r.alerts.length >= 2, 'new devices after a learning period of 0 alert without the store');
  assert.deepEqual(seen, [r.delta!.upserts.length]);
  rec.stop();
  assert.equal(errors.length, 1, 'a stopped recording does not fail again');
});

test('without a store the recorder still collects and raises alerts', () => {
  const s = new Session(tempDb());
  const rec = new Recorder(s.analyzer, null, { learnMs: 0 });
  s.feed([chat(A, B, T0)]);
  const r = rec.tick()!;
  assert.equal(r.stored, null);
  assert.deepEqual(r.alerts.map((a) => a.kind).sort(), ['new-device', 'new-device']);
  assert.equal(rec.tick(), null, 'nothing changed since');
  s.store.close();
});
