import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers';
import type { AppProtocol } from '../../shared/protocols/contract';
import { tcpFrame } from '../helpers/packets';

const CLIENT = { mac: '02:00:00:00:00:0a', ip: '10.0.0.1', port: 49152 };
const SERVER = { mac: '02:00:00:00:00:0b', ip: '10.0.0.2', port: 7777 };

/** A dissector on a port of its own that records which segments (by sequence number) it was given. */
function probe() {
  const seen: string[] = [];
  const app: AppProtocol = {
    name: 'probe',
    group: 'it',
    emits: {},
    tcpPorts: [SERVER.port],
    dissect(w, p) {
      seen.push(`${p.srcPort === SERVER.port ? 's' : 'c'}${p.tcpSeq}+${w.length}`);
      return true;
    },
  };
  const dec = new Decoder(LAYERS, [app]);
  let frame = 0;
  const send = (from: typeof CLIENT, to: typeof CLIENT, seq: number, len: number) => {
    const bytes = tcpFrame(from, to, new Uint8Array(len).fill(0x41), { seq, flags: 0x18 });
    dec.decode(bytes, 1, ++frame, frame, bytes.length);
  };
  return { seen, dec, send };
}

test('a retransmitted segment is not dissected again, and is counted', () => {
  const { seen, dec, send } = probe();
  send(CLIENT, SERVER, 1000, 10);
  send(CLIENT, SERVER, 1010, 10);
  send(CLIENT, SERVER, 1000, 10); // the first again
  send(CLIENT, SERVER, 1010, 10); // and the second
  send(CLIENT, SERVER, 1019, 1); // a keep-alive probe: the last byte again
  send(CLIENT, SERVER, 1020, 5); // new data
  assert.deepEqual(seen, ['c1000+10', 'c1010+10', 'c1020+5']);
  assert.equal(dec.stats.retransmissions, 3);
});

test('each direction has its own sequence space', () => {
  const { seen, send } = probe();
  send(CLIENT, SERVER, 1, 10);
  send(SERVER, CLIENT, 1, 10);
  send(SERVER, CLIENT, 1, 10);
  assert.deepEqual(seen, ['c1+10', 's1+10']);
});

test('segments that arrive out of order are still new data; a resend that reaches past the mark is too', () => {
  const { seen, dec, send } = probe();
  send(CLIENT, SERVER, 100, 10);
  send(CLIENT, SERVER, 120, 10); // ahead: 110..120 is missing
  send(CLIENT, SERVER, 110, 10); // the late one fills the gap
  send(CLIENT, SERVER, 110, 10); // now a true retransmission
  send(CLIENT, SERVER, 125, 10); // overlaps what was seen but brings 130..135
  assert.deepEqual(seen, ['c100+10', 'c120+10', 'c110+10', 'c125+10']);
  assert.equal(dec.stats.retransmissions, 1);
});

test('sequence numbers compare modulo 2^32 across the wrap', () => {
  const { seen, send } = probe();
  send(CLIENT, SERVER, 0xfffffff0, 32); // runs to 0x10
  send(CLIENT, SERVER, 0x10, 8);
  send(CLIENT, SERVER, 0xfffffff0, 32); // resent across the wrap
  send(CLIENT, SERVER, 0x08, 8); // inside what was seen
  assert.deepEqual(seen, [`c${0xfffffff0}+32`, 'c16+8']);
});

test('a flow seen again after it aged out starts afresh', () => {
  const { seen, dec, send } = probe();
  send(CLIENT, SERVER, 500, 10);
  dec.flows.expire(10 * 60_000, 60_000);
  send(CLIENT, SERVER, 500, 10);
  assert.deepEqual(seen, ['c500+10', 'c500+10']);
});
