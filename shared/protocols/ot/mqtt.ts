import type { ByteWindow } from '../../decode/window';
import type { Packet } from '../../decode/packet';
import type { AppContext, AppProtocol, Vocabulary } from '../contract';
import { Emitter } from '../common/emit';
import { OnceSet } from '../common/once';

/**
 * MQTT 3.1 / 3.1.1 / 5.0 (tcp/1883): CONNECT (protocol level, client id, user name; a password in
 * clear is a finding and is never kept), CONNACK (the broker), PUBLISH and SUBSCRIBE topics
 * (bounded per flow).
 */

const em = new Emitter<typeof VOCABULARY>('mqtt');
const PORT = 1883;
const MAX_PACKETS = 16;
const MAX_TOPICS = 16;

const CONNECT = 1;
const CONNACK = 2;
const PUBLISH = 3;
const SUBSCRIBE = 8;

interface MqttFlow {
  once: OnceSet;
  topics: number;
  level: number;
}
const newFlow = (): MqttFlow => ({ once: new OnceSet(64), topics: 0, level: 4 });

/** Remaining length: 1-4 bytes of 7-bit groups. Returns [value, bytes] or null. */
function remaining(w: ByteWindow, o: number): [number, number] | null {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 4; i++) {
    if (!w.has(o + i, 1)) return null;
    const b = w.u8(o + i);
    v += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [v, i + 1];
    mul *= 128;
  }
  return null;
}

/** Fixed-header flags that the specification requires for each packet type. */
function flagsOk(type: number, flags: number): boolean {
  if (type === PUBLISH) return (flags & 0x06) !== 0x06;
  if (type === 6 || type === SUBSCRIBE || type === 10) return flags === 2;
  return type >= 1 && type <= 15 && flags === 0;
}

/** The first packet must be well formed: a CONNECT names its protocol, others must tile the segment. */
function plausible(w: ByteWindow, p: Packet): boolean {
  let o = 0;
  for (let n = 0; n < MAX_PACKETS; n++) {
    const b = w.u8(o);
    if (!flagsOk(b >> 4, b & 0x0f)) return false;
    const r = remaining(w, o + 1);
    if (r === null) return false;
    if (b >> 4 === CONNECT && !connectName(w, o + 1 + r[1])) return false;
    o += 1 + r[1] + r[0];
    if (o === w.length) return true;
    if (o > w.length) return p.capLen < p.wireLen || n > 0 || b >> 4 === PUBLISH;
  }
  return true;
}

function connectName(w: ByteWindow, o: number): boolean {
  const len = w.u16(o);
  const name = w.ascii(o + 2, len, 8);
  return (len === 4 && name === 'MQTT') || (len === 6 && name === 'MQIsdp');
}

/** What its observations can carry (fields, and keys by kind): rules are checked against it. */
const VOCABULARY = {
  fields: [
    'CONNACK',
    'CONNACK.returnCode',
    'CONNECT',
    'CONNECT.clientId',
    'CONNECT.password',
    'CONNECT.protocol',
    'CONNECT.userName',
    'PUBLISH.topic',
    'SUBSCRIBE.topic',
  ],
  keys: {
    attribute: [
      'mqtt.client-id',
      'mqtt.connack-code',
      'mqtt.protocol',
      'mqtt.publish-topic',
      'mqtt.subscribe-topic',
      'mqtt.username',
    ],
    finding: ['cleartext-password'],
    role: ['mqtt-broker', 'mqtt-client'],
    service: ['mqtt'],
  },
} as const satisfies Vocabulary;

export const mqtt: AppProtocol = {
  name: 'mqtt',
  group: 'ot',
  emits: { mqtt: VOCABULARY },
  tcpPorts: [PORT],

  dissect(w: ByteWindow, p: Packet, ctx: AppContext): boolean {
    if (p.ipProto !== 6 || w.length < 2 || !plausible(w, p)) return false;
    const f = ctx.flowState(p, 'mqtt', newFlow);
    let o = 0;
    for (let n = 0; n < MAX_PACKETS && o < w.length; n++) {
      const b = w.u8(o);
      const r = remaining(w, o + 1);
      if (r === null) break;
      const body = o + 1 + r[1];
      const end = Math.min(body + r[0], w.length);
      packet(w, b >> 4, body, end, p, ctx, f);
      o = body + r[0];
    }
    return true;
  },
};

function str(w: ByteWindow, o: number, end: number, max = 256): [string, number] {
  const len = w.u16(o);
  const e = Math.min(o + 2 + len, end);
  return [w.utf8(o + 2, e - (o + 2), max), o + 2 + len];
}

/** An MQTT 5 property block: a variable-length integer length, then the properties (skipped). */
function skipProperties(w: ByteWindow, o: number): number {
  const r = remaining(w, o);
  return r === null ? -1 : o + r[1] + r[0];
}

function packet(
  w: ByteWindow,
  type: number,
  o: number,
  end: number,
  p: Packet,
  ctx: AppContext,
  f: MqttFlow,
): void {
  if (type === CONNECT) {
    const [proto, a] = str(w, o, end, 8);
    const level = w.u8(a);
    const cflags = w.u8(a + 1);
    f.level = level;
    let i = a + 4;
    if (level === 5) i = skipProperties(w, i);
    if (i < 0 || i > end) return;
    const [clientId, b] = str(w, i, end);
    i = b;
    if (cflags & 0x04) {
      if (level === 5) i = skipProperties(w, i);
      if (i < 0) return;
      i = str(w, i, end)[1];
      i = i + 2 + w.u16(i);
    }
    em.role(ctx, p, { end: 'src', field: 'CONNECT', role: 'mqtt-client' });
    em.role(ctx, p, { end: 'dst', field: 'CONNECT', role: 'mqtt-broker' });
    em.service(ctx, p, { end: 'dst', field: 'CONNECT', transport: 'tcp', port: p.dstPort, name: 'mqtt' });
    em.attribute(ctx, p, {
      end: 'src',
      field: 'CONNECT.protocol',
      key: 'mqtt.protocol',
      value: proto + ' level ' + level,
    });
    if (clientId !== '')
      em.attribute(ctx, p, { end: 'src', field: 'CONNECT.clientId', key: 'mqtt.client-id', value: clientId });
    if (cflags & 0x80 && i <= end) {
      const [user, c] = str(w, i, end);
      em.attribute(ctx, p, { end: 'src', field: 'CONNECT.userName', key: 'mqtt.username', value: user });
      i = c;
    }
    if (cflags & 0x40) {
      // Presence only: the password itself is never read into a string.
      em.finding(ctx, p, {
        end: 'src',
        field: 'CONNECT.password',
        finding: 'cleartext-password',
        detail: 'MQTT CONNECT carries a password without TLS (port ' + p.dstPort + ')',
      });
    }
    return;
  }
  if (type === CONNACK) {
    if (f.once.first('connack')) {
      em.role(ctx, p, { end: 'src', field: 'CONNACK', role: 'mqtt-broker' });
      em.attribute(ctx, p, {
        end: 'src',
        field: 'CONNACK.returnCode',
        key: 'mqtt.connack-code',
        value: String(w.u8(o + 1)),
      });
    }
    return;
  }
  if (type === PUBLISH || type === SUBSCRIBE) {
    if (f.topics >= MAX_TOPICS) return;
    if (type === PUBLISH) {
      const [topic] = str(w, o, end);
      if (topic !== '' && f.once.first('pub:' + topic)) {
        f.topics++;
        em.attribute(ctx, p, { end: 'src', field: 'PUBLISH.topic', key: 'mqtt.publish-topic', value: topic });
      }
      return;
    }
    // SUBSCRIBE: packet id, [v5 properties], then (topic filter, options) pairs.
    let i = o + 2;
    if (f.level === 5) i = skipProperties(w, i);
    for (let n = 0; n < 8 && i > 0 && i + 2 <= end && f.topics < MAX_TOPICS; n++) {
      const [topic, next] = str(w, i, end);
      if (topic !== '' && f.once.first('sub:' + topic)) {
        f.topics++;
        em.attribute(ctx, p, {
          end: 'src',
          field: 'SUBSCRIBE.topic',
          key: 'mqtt.subscribe-topic',
          value: topic,
        });
      }
      i = next + 1;
    }
  }
}
