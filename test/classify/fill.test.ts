import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fill } from '../../shared/classify/match';

test('fill: references filled, spaces tidied, null for a missing or empty result', () => {
  assert.equal(fill('printer', {}), 'printer');
  assert.equal(fill('  Cisco   IP\tPhone ', {}), 'Cisco IP Phone');
  assert.equal(fill('${m} $1', { m: 'DCS-930L', '1': ' rev\nB ' }), 'DCS-930L rev B');
  assert.equal(fill('Windows ${v}', {}), null);
  assert.equal(fill('$2 costs $USD', { '2': 'x' }), 'x costs $USD');
  assert.equal(fill('${v}', { v: '   ' }), null);
  assert.equal(fill('x'.repeat(200), {}), 'x'.repeat(160));
});

test('fill: a template naming no capture runs no regex but the space tidying', () => {
  const exec = RegExp.prototype.exec;
  const ran: string[] = [];
  RegExp.prototype.exec = function (this: RegExp, s: string) {
    ran.push(this.source);
    return exec.call(this, s);
  };
  try {
    assert.equal(fill('network camera', {}), 'network camera');
  } finally {
    RegExp.prototype.exec = exec;
  }
  assert.deepEqual([...new Set(ran)], ['\\s+']);
});
