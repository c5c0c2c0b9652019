import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identityOf, MAX_PER_LABEL } from '../../shared/inventory/identity';
import type { Fact } from '../../shared/inventory/evidence';
import type { Observation } from '../../shared/model/observation';

// Facts no table row names (the catch-all: group = protocol, label = sub), stated in mixed order.
function fact(protocol: string, sub: string, value: string, t: number): Fact {
  const obs = { kind: 'identity', protocol, field: 'f', attr: 'model', value } as unknown as Observation;
  return {
    kind: 'identity',
    protocol,
    field: 'f',
    value,
    sub,
    raw: value,
    no: t,
    firstFrame: t,
    first: t,
    last: t,
    count: 1,
    obs,
  };
}

test('identityOf: groups and labels in order, each label its newest MAX_PER_LABEL values, any group name', () => {
  const facts: Fact[] = [];
  let t = Date.UTC(2024, 0, 1);
  facts.push(fact('zz', 'b', 'zb', t++));
  for (let i = 0; i < MAX_PER_LABEL + 3; i++) facts.push(fact('aa', 'a', `a${i}`, t++));
  facts.push(fact('zz', 'a', 'za', t++));
  facts.push(fact('__proto__', 'x', 'px', t++));
  for (let i = 0; i < MAX_PER_LABEL + 1; i++) facts.push(fact('aa', 'b', `b${i}`, t++));
  facts.push(fact('aa', 'a', 'a0', t++)); // a value heard again: one row, its last time the newest
  const id = identityOf(facts);
  assert.deepEqual(Object.keys(id), ['__proto__', 'aa', 'zz']);
  assert.equal(Object.getPrototypeOf(id), Object.prototype);
  const rows = (g: string) => id[g]!.map((f) => `${f.label}=${f.value}`);
  assert.deepEqual(rows('__proto__'), ['x=px']);
  assert.deepEqual(rows('aa'), [
    'a=a0',
    ...Array.from({ length: MAX_PER_LABEL - 1 }, (_, k) => `a=a${MAX_PER_LABEL + 2 - k}`),
    ...Array.from({ length: MAX_PER_LABEL }, (_, k) => `b=b${MAX_PER_LABEL - k}`),
  ]);
  assert.deepEqual(rows('zz'), ['a=za', 'b=zb']);
});
