/**
 * SortedKeys (shared/inventory/sorted-keys.ts): after any run of additions and removals, asked for at
 * random points, its order is the present keys sorted, each once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SortedKeys } from '../../shared/inventory/sorted-keys';
import { cmp } from '../../shared/inventory/partial-merge';

test('the order is the present keys sorted, whenever asked', () => {
  fc.assert(
    fc.property(
      // Few keys, so that they come and go again; some the prefix of others.
      fc.array(
        fc.tuple(
          fc.constantFrom('add', 'remove', 'ask'),
          fc.integer({ min: 0, max: 30 }).map((n) => `k${n}`),
        ),
        { maxLength: 200 },
      ),
      (ops) => {
        const keys = new SortedKeys(cmp);
        const present = new Set<string>();
        for (const [op, k] of ops) {
          if (op === 'add' && !present.has(k)) {
            keys.add(k);
            present.add(k);
          } else if (op === 'remove' && present.has(k)) {
            keys.remove(k);
            present.delete(k);
          } else if (op === 'ask') {
            assert.deepEqual(keys.sorted(), [...present].sort(cmp));
            assert.equal(keys.changed, false);
          }
        }
        assert.deepEqual(keys.sorted(), [...present].sort(cmp));
      },
    ),
    { numRuns: 500, seed: 16 },
  );
});

test('a key removed and added again before the order is asked for is there once', () => {
  const keys = new SortedKeys(cmp);
  keys.reset(['a', 'c']);
  keys.remove('c');
  keys.add('b');
  keys.add('c');
  keys.remove('b');
  keys.add('d');
  assert.equal(keys.changed, true);
  assert.deepEqual(keys.sorted(), ['a', 'c', 'd']);
});
