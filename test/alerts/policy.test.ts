import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertEngine } from '../../shared/alerts/engine';
import { DEFAULT_POLICY, eventText, fill, type AlertPolicy } from '../../shared/alerts/policy';
import { isSeverity } from '../../shared/alerts/severity';
import type { Observation } from '../../shared/model/observation';
import { EVENT_KINDS, OT_EVENTS } from '../../shared/protocols/ot/events';
import { concat, u16 } from '../helpers/packets';
import { corpusFiles, runCapture } from '../protocols/ot/corpus';
import { run, toServer } from '../protocols/ot/helpers';
import { SENSOR_EVENT_KINDS } from '../../shared/sensor/events';

type EventObservation = Extract<Observation, { kind: 'event' }>;

const isEvent = (o: Observation): o is EventObservation => o.kind === 'event';

test('every event kind a dissector declares has a policy entry, and the policy names no other kind', () => {
  const ot = Object.entries(OT_EVENTS).flatMap(([p, events]) => events.map((e: string) => `${p}.${e}`));
  assert.ok(ot.length >= 50, `only ${ot.length} declared kinds`);
  assert.deepEqual([...EVENT_KINDS].sort(), ot.sort());
  // The sensors' console declares its own (shared/sensor/events.ts).
  const declared = [...ot, ...SENSOR_EVENT_KINDS];
  const inPolicy = Object.keys(DEFAULT_POLICY).sort();
  const missing = declared.filter((k) => !inPolicy.includes(k));
  const unknown = inPolicy.filter((k) => !declared.includes(k));
  assert.deepEqual(missing, [], 'kinds without a policy entry');
  assert.deepEqual(unknown, [], 'policy entries for no declared kind');
  for (const [kind, p] of Object.entries(DEFAULT_POLICY)) {
    assert.ok(isSeverity(p.severity), `${kind}: severity ${p.severity}`);
    assert.notEqual(p.text.trim(), '', `${kind}: no wording`);
  }
});

// The OT captures whose dissectors emit events: each event they emit is a declared kind, and its
// facts fill every placeholder of its wording.
const EVENT_CAPTURES = corpusFiles([
  'bacnet',
  'dnp3',
  'enip',
  'ics-fins',
  'iec104',
  'modbus',
  'multi-lan-enip',
  'multi-lan-s7',
  'profinet',
  's7comm',
]);

test('corpus: every event emitted is a declared kind, and its facts fill its wording', async (t) => {
  if (EVENT_CAPTURES.length === 0) return t.skip('corpus not present');
  const declared = new Set<string>(EVENT_KINDS);
  const seen = new Set<string>();
  const unfilled: string[] = [];
  for (const file of EVENT_CAPTURES) {
    const r = await runCapture(file);
    for (const o of r.obs.filter(isEvent)) {
      const kind = `${o.protocol}.${o.event}`;
      assert.ok(declared.has(kind), `${file}: undeclared event ${kind}`);
      seen.add(kind);
      const text = eventText(o);
      if (/\{[A-Za-z]/.test(text)) unfilled.push(`${file}: ${kind}: ${text}`);
      for (const v of Object.values(o.facts)) assert.ok(typeof v === 'number' || typeof v === 'string');
    }
  }
  assert.deepEqual(unfilled, []);
  // The corpus exercises many kinds across the protocols (a broken mapping would show few or none).
  const protocols = new Set([...seen].map((k) => k.slice(0, k.indexOf('.'))));
  t.diagnostic(`${seen.size} kinds seen in ${EVENT_CAPTURES.length} captures: ${[...seen].sort().join(' ')}`);
  assert.ok(seen.size >= 15, `only ${seen.size} kinds seen`);
  assert.ok(protocols.size >= 6, `events from only ${[...protocols].join(', ')}`);
});

test('wording: placeholders are filled from facts once, unknown ones stay, the result is plain text', () => {
  assert.equal(
    fill('CIP Set on {path}', { path: 'class 0xf5 instance 1' }),
    'CIP Set on class 0xf5 instance 1',
  );
  // A fact that looks like a placeholder or markup is text, not a template or HTML.
  assert.equal(fill('name "{name}" by {who}', { name: '{who}<b>' }), 'name "{who}<b>" by {who}');
  assert.equal(fill('{count} writes', { count: 10 }), '10 writes');
  assert.equal(fill('{__proto__}{constructor}', {}), '{__proto__}{constructor}');
  assert.equal(fill('{x}', { x: 'y'.repeat(10_000) }).length, 512);
});

/** A Modbus/TCP request from the test client to the test server. */
function modbusRequest(pdu: number[]): Uint8Array {
  return toServer(502, concat(u16(1), u16(0), u16(pdu.length + 1), [1], pdu));
}
const RESTART = [0x08, 0x00, 0x01, 0x00, 0x00];
const WRITE = [0x06, 0x00, 0x01, 0x00, 0x2a];

function alertsFor(frames: Uint8Array[], policy?: AlertPolicy) {
  const obs = run(frames).obs;
  const engine = new AlertEngine({ learning: { durationMs: 0 }, policy });
  for (const o of obs) engine.observe(o);
  return engine.drain().filter((a) => a.kind === 'ot-event');
}

test('the alert engine takes severity and wording from the policy, not from the dissector', () => {
  const frames = [modbusRequest(RESTART), modbusRequest(WRITE)];
  // Default policy: the restart is high and worded as before; a write (low) raises nothing.
  const byDefault = alertsFor(frames);
  assert.deepEqual(
    byDefault.map((a) => [a.severity, a.detail.event, a.message]),
    [
      [
        'high',
        'device-restart',
        'modbus device-restart to mac:02:00:00:00:00:02: Diagnostics: restart communications option (unit 1)',
      ],
    ],
  );
  // Tuned: writes alert as critical in new words, restarts are quietened to low. No parser changed.
  const tuned: AlertPolicy = {
    ...DEFAULT_POLICY,
    'modbus.modbus-write': {
      severity: 'critical',
      text: 'write #{count}: function {function} to unit {unit}',
    },
    'modbus.device-restart': { severity: 'low', text: 'restart' },
  };
  const after = alertsFor(frames, tuned);
  assert.deepEqual(
    after.map((a) => [a.severity, a.detail.event, a.detail.detail]),
    [['critical', 'modbus-write', 'write #1: function 6 to unit 1']],
  );
});
