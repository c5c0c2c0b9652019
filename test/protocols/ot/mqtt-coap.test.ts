import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, u16, type Bytes } from '../../helpers/packets';
import {
  HTTP_GET,
  assertNotClaimed,
  assertSurvivesHostile,
  attribute,
  fromServer,
  roles,
  run,
  toServer,
  udpFromServer,
  udpToServer,
} from './helpers';
import { agreement, corpusFiles, hasTshark, runCapture, tshark } from './corpus';

const mstr = (s: string): Bytes => concat(u16(s.length), ascii(s));

function connect(clientId: string, user: string | null, password: string | null, level = 4): Bytes {
  const flags = (user !== null ? 0x80 : 0) | (password !== null ? 0x40 : 0) | 0x02;
  const body = concat(
    mstr('MQTT'),
    [level, flags],
    u16(60),
    level === 5 ? [0] : [],
    mstr(clientId),
    user !== null ? mstr(user) : [],
    password !== null ? mstr(password) : [],
  );
  return concat([0x10, body.length], body);
}

test('MQTT CONNECT: client id, user name, a password finding without the password', () => {
  const r = run([
    toServer(1883, connect('sensor-17', 'alice', 's3cret')),
    fromServer(1883, Uint8Array.from([0x20, 2, 0, 0])),
  ]);
  assert.deepEqual(attribute(r.obs, 'mqtt.client-id'), ['sensor-17']);
  assert.deepEqual(attribute(r.obs, 'mqtt.username'), ['alice']);
  assert.ok(r.obs.some((o) => o.kind === 'finding' && o.finding === 'cleartext-password'));
  assert.ok(!JSON.stringify(r.obs).includes('s3cret'), 'the password must never be kept');
  assert.ok(roles(r.obs).includes('mqtt-client@10.0.0.1'));
  assert.ok(roles(r.obs).includes('mqtt-broker@10.0.0.2'));
});

test('MQTT 5 CONNECT with properties, PUBLISH and SUBSCRIBE topics (bounded)', () => {
  const pub = (t: string) => {
    const b = concat(mstr(t), ascii('{}'));
    return concat([0x30, b.length], b);
  };
  // MQTT 5: packet id, property length 0, topic filter, options.
  const sub = concat([0x82, 2 + 1 + 2 + 7 + 1], u16(1), [0], mstr('plant/#'), [0x00]);
  const frames = [toServer(1883, connect('v5', null, null, 5)), toServer(1883, sub)];
  for (let i = 0; i < 40; i++) frames.push(toServer(1883, pub('t/' + i)));
  const r = run(frames);
  assert.deepEqual(attribute(r.obs, 'mqtt.client-id'), ['v5']);
  assert.deepEqual(attribute(r.obs, 'mqtt.subscribe-topic'), ['plant/#']);
  // Sixteen topics per flow at most.
  assert.equal(attribute(r.obs, 'mqtt.publish-topic').length, 15);
});

test('non-MQTT on 1883 is not MQTT; hostile MQTT never throws', () => {
  assertNotClaimed(toServer(1883, HTTP_GET), 'mqtt');
  assertNotClaimed(toServer(1883, concat([0x10, 10], mstr('HTTP'), [4, 2, 0, 60])), 'mqtt');
  assertSurvivesHostile(connect('id', 'user', 'pw', 5), (b) => toServer(1883, b));
});

/** CoAP: version 1, type, token length, code, message id, token, options, payload. */
function coap(type: number, code: number, options: number[], payload: string | null): Bytes {
  return concat(
    [0x40 | (type << 4) | 2, code],
    u16(0x1234),
    [0xaa, 0xbb],
    options,
    payload !== null ? concat([0xff], ascii(payload)) : [],
  );
}

test('CoAP request paths and /.well-known/core link format', () => {
  const get = coap(0, 1, [0xbb, ...ascii('.well-known'), 0x04, ...ascii('core')], null);
  const rsp = coap(2, 0x45, [0xc1, 40], '</sensors/temp>;rt="temperature",</actuators/valve>;if="core.a"');
  const r = run([udpToServer(5683, get), udpFromServer(5683, rsp)]);
  assert.deepEqual(attribute(r.obs, 'coap.request-uri-path'), ['/.well-known/core']);
  assert.deepEqual(attribute(r.obs, 'coap.resource'), ['/sensors/temp', '/actuators/valve']);
  assert.ok(roles(r.obs).includes('coap-client@10.0.0.1'));
});

test('non-CoAP on 5683 is not CoAP; hostile CoAP never throws', () => {
  assertNotClaimed(udpToServer(5683, HTTP_GET), 'coap');
  assertNotClaimed(udpToServer(5683, Uint8Array.from([0x40, 0x01, 0, 1, 0xf0])), 'coap'); // option nibble 15
  assertSurvivesHostile(
    coap(0, 1, [0xb4, ...ascii('test'), 0x1d, 0x02, ...ascii('0123456789abcdef')], 'x'),
    (b) => udpToServer(5683, b),
  );
});

const MQTT = corpusFiles(['mqtt']);
const COAP = corpusFiles(['coap']);

test('corpus: mqtt.clientid agrees with tshark; ground-truth user names; CoAP paths', async (t) => {
  if (MQTT.length === 0 || !hasTshark()) return t.skip('corpus or tshark absent');
  let both = 0;
  for (const file of MQTT) {
    const r = await runCapture(file);
    assert.equal(r.dissectorErrors, 0, file);
    const ts = tshark(file, 'mqtt.clientid', ['mqtt.clientid', 'mqtt.username']);
    const at = (key: string) => (o: (typeof r.obs)[number]) =>
      o.kind === 'attribute' && o.key === key ? o.value : null;
    for (const a of [
      agreement(ts, 0, 'mqtt.clientid', r.obs, at('mqtt.client-id')),
      agreement(ts, 1, 'mqtt.username', r.obs, at('mqtt.username')),
    ]) {
      assert.deepEqual(a.disagreements, [], `${file} ${a.field}`);
      assert.deepEqual(a.tsharkOnly, [], `${file} ${a.field}`);
      both += a.both;
    }
    assert.ok(
      r.obs.some((o) => o.kind === 'role' && o.role === 'mqtt-broker'),
      file,
    );
  }
  t.diagnostic(`mqtt.clientid + mqtt.username: ${both}/${both} frames agree`);
  const nd = await runCapture('mqtt__ndpi__mqtt.pcap');
  assert.ok(attribute(nd.obs, 'mqtt.client-id').includes('P47775ID170W2120'));
  if (COAP.length === 0) return;
  const c = await runCapture('coap-mqtt__ndpi__coap_mqtt.pcap');
  const paths = new Set(
    attribute(
      c.obs.filter((o) => o.device.mac === '00:24:e8:a7:49:a1'),
      'coap.request-uri-path',
    ),
  );
  for (const p of ['/separate', '/storage', '/storage/myresource']) assert.ok(paths.has(p), p);
  for (const f of COAP) assert.equal((await runCapture(f)).dissectorErrors, 0, f);
});
