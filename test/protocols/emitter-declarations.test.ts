/**
 * The emitter is typed by its protocol's declaration: a field, key or event the declaration does not
 * name fails to compile. The `@ts-expect-error` lines below are the proof: `tsc -p test` fails
 * ("Unused '@ts-expect-error' directive") the day one of them compiles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers/index';
import type { Observation } from '../../shared/model/observation';
import { Emitter } from '../../shared/protocols/common/emit';
import type { Vocabulary } from '../../shared/protocols/contract';
import { IT_PROTOCOLS } from '../../shared/protocols/it/index';
import type { TCP_SIGNATURE_VOCABULARY } from '../../shared/protocols/it/tcp-signature';
import { declaresField } from '../../shared/protocols/vocabulary';
import { tcpFrame } from '../helpers/packets';

const DECLARED = {
  fields: ['hello', 'reply.*'],
  keys: { role: ['demo-server'], attribute: ['demo.*'], identity: ['model'] },
} as const satisfies Vocabulary;

const packet = () => {
  const f = tcpFrame(
    { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 40000 },
    { mac: '02:00:00:00:00:02', ip: '10.0.0.2', port: 80 },
    new Uint8Array(0),
    { flags: 0x02 },
  );
  return new Decoder(LAYERS, IT_PROTOCOLS).decode(f, 1, 0, 1, f.length);
};

function collect(): { out: Observation[]; sink: { emit(o: Observation): void } } {
  const out: Observation[] = [];
  return { out, sink: { emit: (o) => out.push(o) } };
}

test('declared names compile and are emitted as given, wildcards included', () => {
  const em = new Emitter<typeof DECLARED>('demo');
  const { out, sink } = collect();
  const p = packet();
  em.role(sink, p, { end: 'src', field: 'hello', role: 'demo-server' });
  const part = 'banner';
  em.attribute(sink, p, { end: 'src', field: `reply.${part}`, key: `demo.${part}`, value: 'v1' });
  em.identity(sink, p, { end: 'src', field: 'hello', attr: 'model', value: 'X-100' });
  assert.deepEqual(
    out.map((o) => [o.kind, o.protocol, o.field]),
    [
      ['role', 'demo', 'hello'],
      ['attribute', 'demo', 'reply.banner'],
      ['identity', 'demo', 'hello'],
    ],
  );
  assert.equal(out[1]!.kind === 'attribute' && out[1]!.key, 'demo.banner');
  // What compiled is what `rules check` and the corpus test read as declared.
  for (const o of out) assert.ok(declaresField(DECLARED, o.field), o.field);
});

test('undeclared fields, keys and kinds fail to compile (checked by tsc -p test)', () => {
  const em = new Emitter<typeof DECLARED>('demo');
  const tcp = new Emitter<typeof TCP_SIGNATURE_VOCABULARY>('tcp');
  const bare = new Emitter('nobody');
  const { out, sink } = collect();
  const p = packet();
  // @ts-expect-error: 'goodbye' is no declared field
  em.role(sink, p, { end: 'src', field: 'goodbye', role: 'demo-server' });
  // @ts-expect-error: 'demo-client' is no declared role
  em.role(sink, p, { end: 'src', field: 'hello', role: 'demo-client' });
  // @ts-expect-error: attribute keys must start with 'demo.'
  em.attribute(sink, p, { end: 'src', field: 'hello', key: 'other.x', value: 'v' });
  // @ts-expect-error: 'vendor' is an identity attribute, but not one this protocol declares
  em.identity(sink, p, { end: 'src', field: 'hello', attr: 'vendor', value: 'v' });
  // @ts-expect-error: the declaration names no events at all
  em.event(sink, p, { end: 'src', field: 'hello', event: 'demo-restart' });
  // @ts-expect-error: a field computed as a plain string is not known to be declared
  em.role(sink, p, { end: 'src', field: 'reply' + '.x', role: 'demo-server' });
  // @ts-expect-error: the SYN signatures' real declaration: 'fin' is no field of it
  tcp.fingerprint(sink, p, { end: 'src', field: 'fin', scheme: 'tcp-syn', value: '4:64' });
  // @ts-expect-error: nor is 'tcp-fin' a scheme
  tcp.fingerprint(sink, p, { end: 'src', field: 'syn', scheme: 'tcp-fin', value: '4:64' });
  // @ts-expect-error: an emitter without a declaration can state nothing
  bare.hostname(sink, p, { end: 'src', field: 'anything', name: 'host' });
  // The calls still run (types do not exist at run time): nine observations were made.
  assert.equal(out.length, 9);
});
