import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureParser } from '../../shared/capture/parser';
import type { Observation } from '../../shared/model/observation';
import { APP_PROTOCOLS, DECLARED } from '../../shared/protocols';
import { IT_PROTOCOLS } from '../../shared/protocols/it';
import { OT_PROTOCOLS } from '../../shared/protocols/ot';
import { declaresField, declaresKey } from '../../shared/protocols/vocabulary';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { PCAPS, corpusAvailable, corpusFiles } from '../helpers/corpus';

/** The key a rule names for an observation, for the kinds whose keys come from a fixed set. */
function keyOf(o: Observation): string | null {
  switch (o.kind) {
    case 'identity':
      return o.attr;
    case 'attribute':
      return o.key;
    case 'role':
      return o.role;
    case 'fingerprint':
      return o.scheme;
    case 'service':
      return o.name;
    case 'event':
      return o.event;
    case 'finding':
      return o.finding;
    default:
      return null;
  }
}

/** xorshift32, as the fuzz harness corrupts frames. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

test(
  'every protocol, field and key a dissector emits over the corpus, clean and corrupted, is declared',
  {
    skip: !corpusAvailable() && 'corpus absent',
    timeout: 5 * 60_000,
  },
  () => {
    const undeclared = new Set<string>();
    const seen = new Set<string>();
    let observations = 0;
    for (const f of corpusFiles()) {
      const bytes = readFileSync(join(PCAPS, f));
      for (const rate of [0, 0.02]) {
        const rnd = prng(f.length * 2654435761);
        const a = createAnalyzer();
        a.observers.push((o) => {
          observations++;
          seen.add(o.protocol);
          const d = DECLARED.get(o.protocol);
          const key = keyOf(o);
          if (d === undefined) undeclared.add(`protocol ${o.protocol}`);
          else if (!declaresField(d.vocabulary, o.field)) undeclared.add(`${o.protocol} field ${o.field}`);
          else if (key !== null && !declaresKey(d.vocabulary, o.kind, key))
            undeclared.add(`${o.protocol} ${o.kind} key ${key}`);
        });
        const parser = new CaptureParser((buf, lt, ts, wl, iface) => {
          const b = rate === 0 ? buf : Uint8Array.from(buf);
          if (rate > 0) for (let i = 0; i < b.length; i++) if (rnd() < rate) b[i] = (rnd() * 256) | 0;
          a.frame(b, lt, ts, wl, iface);
        });
        try {
          parser.push(bytes);
          parser.end();
        } catch {
          // A broken capture file ends its own run; what it said so far was checked.
        }
      }
    }
    assert.deepEqual([...undeclared].sort(), []);
    // Not a pass on nothing: the corpus speaks most of the declared protocols.
    assert.ok(observations > 10_000, `${observations} observations`);
    assert.ok(seen.size >= 30, `protocols seen: ${[...seen].sort().join(', ')}`);
  },
);

test('each dissector is registered in the list of its own group, and declares its parts', () => {
  assert.deepEqual(
    OT_PROTOCOLS.filter((a) => a.group !== 'ot').map((a) => a.name),
    [],
  );
  assert.deepEqual(
    IT_PROTOCOLS.filter((a) => a.group !== 'it').map((a) => a.name),
    [],
  );
  for (const a of APP_PROTOCOLS) {
    assert.ok(Object.keys(a.emits).length > 0, `${a.name} declares what it emits`);
    for (const part of a.parts ?? []) assert.ok(part in a.emits, `${a.name} declares its part ${part}`);
  }
});

test(
  'a device that speaks PROFINET DCP lists profinet once, not its parts',
  { skip: !corpusAvailable() && 'corpus absent' },
  async () => {
    const a = createAnalyzer();
    const parser = new CaptureParser((buf, lt, ts, wl, iface) => a.frame(buf, lt, ts, wl, iface));
    parser.push(readFileSync(join(PCAPS, 'profinet-dcp__iti-ics__ChangeIPUsingDCP.pcap')));
    parser.end();
    const lists = a.snapshot({ evidence: true }).devices.map((d) => d.protocols);
    const pn = lists.filter((l) => l.includes('profinet'));
    assert.ok(pn.length >= 2, 'the capture has PROFINET devices');
    for (const l of lists)
      assert.deepEqual(
        l.filter((p) => p === 'pn_dcp' || p === 'pn_rt'),
        [],
      );
    // ... while their facts still say which part said them.
    const facts = a.snapshot({ evidence: true }).devices.flatMap((d) => d.evidence ?? []);
    assert.ok(facts.some((e) => e.protocol === 'pn_dcp'));
  },
);
