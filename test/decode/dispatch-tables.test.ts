/**
 * The decoder's dispatch tables (by EtherType, port, SAP): the first registration of a key wins, keys
 * past 16 bits work, and making a decoder with every layer and dissector costs little memory, since
 * every analysis (and every analysis thread) makes one as it starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers';
import { APP_PROTOCOLS } from '../../shared/protocols';
import type { AppProtocol } from '../../shared/protocols/contract';
import { udpFrame } from '../helpers/packets';

const A = { mac: '02:00:00:00:00:0a', ip: '10.0.0.1', port: 40000 };
const B = { mac: '02:00:00:00:00:0b', ip: '10.0.0.2', port: 60000 };

function protocol(name: string, udpPorts: number[], calls: string[]): AppProtocol {
  return {
    name,
    group: 'it',
    emits: {},
    udpPorts,
    dissect() {
      calls.push(name);
      return true;
    },
  };
}

test('a port registered twice goes to the first registration; each port to its own dissector', () => {
  const calls: string[] = [];
  const d = new Decoder(LAYERS, [
    protocol('first', [B.port, 65535], calls),
    protocol('second', [B.port, 0], calls),
  ]);
  for (const [i, port] of [B.port, 65535, 0, 60001].entries()) {
    const f = udpFrame(A, { ...B, port }, new Uint8Array([1, 2, 3]));
    d.decode(f, 1, 0, i + 1, f.length);
  }
  assert.deepEqual(calls, ['first', 'first', 'second']);
});

test('a decoder with every layer and dissector is made without megabytes of tables', () => {
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  // Kept alive, so a collection in between cannot hide what they hold.
  const kept = [1, 2, 3, 4].map(() => new Decoder(LAYERS, APP_PROTOCOLS));
  const per = (used() - before) / kept.length;
  // Eight tables of 65536 values filled with undefined held 2.1-2.3 MB a decoder; eight 16-bit slot
  // arrays (zeroed by the allocator, committed only where written) count 1.05 MB.
  assert.ok(per < 1.5e6, `${(per / 1e6).toFixed(2)} MB a decoder`);
});
