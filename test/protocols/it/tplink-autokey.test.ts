import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteWindow } from '../../../shared/decode/window';
import { decryptAutokey } from '../../../shared/protocols/it/tplink';
import { tplinkXor } from '../../helpers/iot-payloads';

const w = (b: Uint8Array) => new ByteWindow().reset(b, 0, b.length);

test('autokey: each message decrypts to its own text, Latin-1 bytes and all, at most 8192 characters', () => {
  const long = '{"alias":"' + 'x'.repeat(9000) + '"}';
  const texts = ['{"system":{"get_sysinfo":{"alias":"Küche é\u00ff","model":"HS110(EU)"}}}', '{}', long, 'a'];
  for (const t of texts) {
    const b = tplinkXor(t);
    assert.equal(decryptAutokey(w(b), 0, b.length), t.slice(0, 8192));
  }
  // A shorter message after a longer one: nothing of the longer one's text is left in it.
  const b = tplinkXor('{"b":1}');
  const framed = Uint8Array.from([0, 0, 0, b.length, ...b]);
  assert.equal(decryptAutokey(w(framed), 4, b.length), '{"b":1}');
  assert.equal(decryptAutokey(w(framed), 4, 0), '');
});
