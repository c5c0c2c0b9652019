import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers';
import { TCP_ACK, TCP_SYN } from '../../shared/decode/packet';
import { ethernet, ipv4, ipv6, tcp, tcpFrame, udp, udpFrame } from '../helpers/packets';

const A = { mac: '02:00:00:00:00:0a', ip: '10.0.0.1', port: 49152 };
const B = { mac: '02:00:00:00:00:0b', ip: '10.0.0.2', port: 80 };

function decode(bytes: Uint8Array) {
  return new Decoder(LAYERS).decode(bytes, 1, 0, 1, bytes.length);
}

/** A Linux-style SYN: MSS 1460, SACK permitted, timestamps, NOP, window scale 7. */
export const LINUX_SYN_OPTIONS = [2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];

test('TCP SYN: header fields, every option, layout string', () => {
  const frame = tcpFrame(A, B, new Uint8Array(0), {
    flags: TCP_SYN,
    seq: 0xfedcba98,
    window: 64240,
    options: LINUX_SYN_OPTIONS,
  });
  const p = decode(frame);
  assert.equal(p.malformed, '');
  assert.equal(p.srcPort, A.port);
  assert.equal(p.dstPort, B.port);
  assert.equal(p.tcpSeq, 0xfedcba98);
  assert.equal(p.tcpAck, 0);
  assert.equal(p.tcpFlags, TCP_SYN);
  assert.equal(p.tcpWindow, 64240);
  assert.equal(p.tcpMss, 1460);
  assert.equal(p.tcpWscale, 7);
  assert.equal(p.tcpSackPermitted, true);
  assert.equal(p.tcpTimestamp, true);
  assert.equal(p.tcpOptionLayout, 'M,S,T,N,W');
  assert.equal(p.payloadStart, 14 + 20 + 40);
  assert.equal(p.payloadEnd, p.payloadStart);
});

test('TCP options: SACK, EOL, unknown kinds in the layout', () => {
  const opts = [1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 30, 4, 0xaa, 0xbb, 0, 0, 0, 0];
  const p = decode(tcpFrame(A, B, new Uint8Array(0), { flags: TCP_SYN | TCP_ACK, ack: 77, options: opts }));
  assert.equal(p.malformed, '');
  assert.equal(p.tcpAck, 77);
  assert.equal(p.tcpOptionLayout, 'N,N,K,?30,E');
  assert.equal(p.tcpMss, -1);
});

test('TCP: options are read but no layout string outside SYN segments', () => {
  const p = decode(tcpFrame(A, B, Uint8Array.of(1, 2, 3), { flags: TCP_ACK, options: LINUX_SYN_OPTIONS }));
  assert.equal(p.malformed, '');
  assert.equal(p.tcpMss, 1460);
  assert.equal(p.tcpTimestamp, true);
  assert.equal(p.tcpOptionLayout, '');
  assert.equal(p.payloadEnd - p.payloadStart, 3);
});

test('TCP option lengths 0 and 1 are malformed and stop the walk', () => {
  for (const bad of [0, 1]) {
    const p = decode(
      tcpFrame(A, B, new Uint8Array(0), { flags: TCP_SYN, options: [30, bad, 2, 4, 5, 0xb4] }),
    );
    assert.equal(p.malformed, 'tcp: option length < 2', `length ${bad}`);
    assert.equal(p.tcpMss, -1);
    assert.equal(p.srcPort, A.port);
  }
});

test('TCP option running past the header, and a known option with the wrong length', () => {
  const past = decode(tcpFrame(A, B, new Uint8Array(0), { flags: TCP_SYN, options: [1, 1, 2, 9] }));
  assert.equal(past.malformed, 'tcp: option past header end');
  const wrong = decode(
    tcpFrame(A, B, new Uint8Array(0), { flags: TCP_SYN, options: [2, 3, 5, 1, 1, 1, 1, 1] }),
  );
  assert.equal(wrong.malformed, 'tcp: bad option length');
  assert.equal(wrong.tcpMss, -1);
  assert.equal(wrong.tcpOptionLayout, 'M,N,N,N,N,N');
});

test('TCP data offset < 5 or past the end is malformed', () => {
  const low = decode(tcpFrame(A, B, new Uint8Array(8), { dataOffset: 4 }));
  assert.equal(low.malformed, 'tcp: data offset < 5');
  assert.equal(low.srcPort, A.port);
  const high = decode(tcpFrame(A, B, new Uint8Array(8), { dataOffset: 15 }));
  assert.equal(high.malformed, 'tcp: data offset past end');
  assert.equal(high.payloadEnd, 0);
  assert.equal(
    decode(ethernet(B.mac, A.mac, 0x0800, ipv4(A.ip, B.ip, 6, new Uint8Array(19)))).malformed,
    'tcp: truncated',
  );
});

test('TCP over IPv6', () => {
  const p = decode(
    ethernet(
      B.mac,
      A.mac,
      0x86dd,
      ipv6('2001:db8::a', '2001:db8::b', 6, tcp(22, 60000, Uint8Array.of(0x53))),
    ),
  );
  assert.equal(p.malformed, '');
  assert.deepEqual([p.srcPort, p.dstPort, p.payloadEnd - p.payloadStart], [22, 60000, 1]);
});

test('UDP: ports, payload bounded by the length field', () => {
  const p = decode(udpFrame(A, { ...B, port: 161 }, Uint8Array.of(0x30, 0x26, 0x02)));
  assert.equal(p.malformed, '');
  assert.deepEqual([p.srcPort, p.dstPort], [A.port, 161]);
  assert.equal(p.payloadStart, 14 + 20 + 8);
  assert.equal(p.payloadEnd, p.payloadStart + 3);
  // A length shorter than the IP payload: the rest is not UDP payload.
  const short = decode(
    ethernet(B.mac, A.mac, 0x0800, ipv4(A.ip, B.ip, 17, udp(1, 2, new Uint8Array(10), 12))),
  );
  assert.equal(short.malformed, '');
  assert.equal(short.payloadEnd - short.payloadStart, 4);
});

test('UDP length < 8 and longer than the window', () => {
  const small = decode(ethernet(B.mac, A.mac, 0x0800, ipv4(A.ip, B.ip, 17, udp(1, 2, new Uint8Array(4), 7))));
  assert.equal(small.malformed, 'udp: length < 8');
  assert.equal(small.srcPort, 1);
  assert.equal(small.payloadEnd, 0);
  const long = decode(
    ethernet(B.mac, A.mac, 0x0800, ipv4(A.ip, B.ip, 17, udp(1, 2, new Uint8Array(4), 400))),
  );
  assert.equal(long.malformed, 'udp: truncated');
  assert.equal(long.payloadEnd - long.payloadStart, 4);
  assert.equal(
    decode(ethernet(B.mac, A.mac, 0x0800, ipv4(A.ip, B.ip, 17, new Uint8Array(7)))).malformed,
    'udp: truncated',
  );
});

test('TCP SYN layouts: a layout made once and reused is always the segment own', () => {
  // More layouts than the remembered slots: sequences of NOPs and unknown kinds (2-byte options)
  // that differ in length or in one kind, each SYN read twice in a shuffled order.
  const tags: Record<number, string> = { 0: 'E', 1: 'N', 2: 'M', 3: 'W', 4: 'S', 5: 'K', 8: 'T' };
  const layouts: { options: number[]; want: string }[] = [];
  for (let i = 0; i < 300; i++) {
    const options: number[] = [];
    const want: string[] = [];
    const n = 1 + (i % 9);
    for (let j = 0; j < n; j++) {
      const kind = j === n - 1 ? 20 + ((i * 7) % 200) : (i >> j) & 1 ? 1 : 4;
      if (kind === 1) options.push(1);
      else options.push(kind, 2);
      want.push(tags[kind] ?? '?' + kind);
    }
    // An EOL ends the list; without one, the NOPs that pad it to 32 bits are read too.
    if (i % 3 === 0) {
      options.push(0);
      want.push('E');
    } else for (let pad = (4 - (options.length % 4)) % 4; pad > 0; pad--) want.push('N');
    layouts.push({ options, want: want.join(',') });
  }
  const d = new Decoder(LAYERS);
  for (const k of [...layouts.keys(), ...[...layouts.keys()].reverse(), ...layouts.keys()]) {
    const { options, want } = layouts[k]!;
    const bytes = tcpFrame(A, B, new Uint8Array(0), { flags: TCP_SYN, options });
    const p = d.decode(bytes, 1, 0, 1, bytes.length);
    assert.equal(p.tcpOptionLayout, want, `layout ${k}`);
  }
});
