import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, type DeviceFacts, type FactIn } from '../../shared/classify';
import { loadRules } from '../../src-main/classify/load';
import { prng as rng } from '../helpers/random';

const KINDS = [
  'hostname',
  'identity',
  'software',
  'fingerprint',
  'role',
  'service',
  'attribute',
  'event',
  'neighbor',
];
const KEYS = [
  'model',
  'vendor',
  'os',
  'os-version',
  'product',
  'firmware',
  'dhcp',
  'tcp-syn',
  'vendor-class',
  'service-type',
  '',
];
const ALPHABET =
  ' \t\n\u0000aA0.,;:()/\\-_=$"\'[]{}*+?|^~\u00e9\u4e2d\ud83d\ude00SSH-2.0-Windows NT 10.0 Android Linux 6ES7 1756-L';

function hostileString(r: () => number, max: number): string {
  const n = Math.floor(r() * max);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

test('classification of hostile, huge and odd facts never throws and stays fast', () => {
  const rules = loadRules();
  const r = rng(42);
  const started = Date.now();
  for (let dev = 0; dev < 200; dev++) {
    const facts: FactIn[] = [];
    for (let i = 0; i < 60; i++) {
      facts.push({
        kind: KINDS[Math.floor(r() * KINDS.length)]!,
        protocol: ['dhcp', 'http', 'smb', 'enip', 's7comm', 'mdns', 'ssh', 'x'][Math.floor(r() * 8)]!,
        field: hostileString(r, 12),
        key: KEYS[Math.floor(r() * KEYS.length)]!,
        value: hostileString(r, r() < 0.1 ? 512 : 40),
        frame: i,
        ts: r() < 0.1 ? NaN : 1_600_000_000_000 + i,
        count: 1,
      });
    }
    const d: DeviceFacts = {
      id: `dev${dev}`,
      mac: r() < 0.5 ? '00:00:00:00:00:00' : null,
      oui: r() < 0.5 ? hostileString(r, 60) : null,
      localMac: false,
      router: r() < 0.1,
      forwards: Math.floor(r() * 70),
      protocols: ['tcp'],
      served: [502, 102, 80, 65535],
      roles: ['modbus-client', hostileString(r, 20)],
      peers: { modbus: Math.floor(r() * 10) },
      facts,
    };
    const c = classify(d, rules);
    for (const a of [c.vendor, c.category, c.type, c.model, c.os, c.firmware, c.hostname]) {
      if (a.value !== null) assert.ok(a.value.length <= 160);
      assert.ok(a.evidence.length <= 16);
      assert.ok(a.alternatives.length <= 8);
    }
    assert.ok(c.roles.length <= 32);
  }
  assert.ok(Date.now() - started < 20_000, 'classification is too slow on hostile input');
});
