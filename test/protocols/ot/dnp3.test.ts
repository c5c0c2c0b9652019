import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, u16le, type Bytes } from '../../helpers/packets';
import {
  HTTP_GET,
  assertNotClaimed,
  assertSurvivesHostile,
  attribute,
  events,
  fromServer,
  roles,
  run,
  toServer,
} from './helpers';
import { corpusFiles, hasTshark, runCapture, tshark } from './corpus';

const PORT = 20000;

/** DNP3 CRC (reflected 0xa6bc, complemented), appended little-endian. */
function crc(b: number[]): number[] {
  let c = 0;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa6bc : c >>> 1;
  }
  return u16le(~c & 0xffff);
}

/** A link frame: header with CRC, then user data in 16-byte blocks each with its CRC. */
function frame(control: number, dst: number, src: number, user: number[]): Bytes {
  const hdr = [0x05, 0x64, 5 + user.length, control, ...u16le(dst), ...u16le(src)];
  const parts: number[] = [...hdr, ...crc(hdr)];
  for (let i = 0; i < user.length; i += 16) {
    const blk = user.slice(i, i + 16);
    parts.push(...blk, ...crc(blk));
  }
  return Uint8Array.from(parts);
}

/** Master to outstation: DIR=1, PRM=1, unconfirmed user data; transport FIR|FIN; app control; function. */
const masterRequest = (fc: number, dst = 10, src = 1) =>
  frame(0xc4, dst, src, [0xc0, 0xc0, fc, 0x3c, 0x02, 0x06]);
const outstationResponse = (dst = 1, src = 10) => frame(0x44, dst, src, [0xc0, 0xc0, 0x81, 0x00, 0x00]);

test('master and outstation by DIR, link addresses, restart and operate events', () => {
  const r = run([
    toServer(PORT, masterRequest(0x01)),
    fromServer(PORT, outstationResponse()),
    toServer(PORT, masterRequest(0x0d)),
    toServer(PORT, masterRequest(0x05)),
    toServer(PORT, masterRequest(0x05)),
  ]);
  assert.ok(roles(r.obs).includes('dnp3-master@10.0.0.1'));
  assert.ok(roles(r.obs).includes('dnp3-outstation@10.0.0.2'));
  const addrs = r.obs.flatMap((o) =>
    o.kind === 'attribute' && o.key === 'dnp3.address' ? [o.device.ip + '=' + o.value] : [],
  );
  assert.deepEqual(new Set(addrs), new Set(['10.0.0.1=1', '10.0.0.2=10']));
  // Two DIRECT_OPERATEs: reported once (at 1), the cold restart always.
  assert.deepEqual(events(r.obs), ['device-restart', 'dnp3-direct-operate']);
});

test('a bad header CRC or a non-DNP3 payload on 20000 is not DNP3', () => {
  const bad = Uint8Array.from(masterRequest(1));
  bad[8] ^= 0xff;
  assertNotClaimed(toServer(PORT, bad), 'dnp3');
  assertNotClaimed(toServer(PORT, HTTP_GET), 'dnp3');
});

test('DNP3 is found on another port by its heuristic (start bytes + header CRC)', () => {
  const r = run([toServer(3333, masterRequest(0x0e))]);
  assert.ok(r.protos.includes('dnp3'));
  assert.deepEqual(events(r.obs), ['device-restart']);
});

test('hostile DNP3 never throws', () => {
  assertSurvivesHostile(concat(masterRequest(0x05), outstationResponse()), (b) => toServer(PORT, b));
  const lying = Uint8Array.from(masterRequest(0x05));
  lying[2] = 0xff; // length beyond the segment (the header CRC is then wrong too: not DNP3)
  assertSurvivesHostile(lying, (b) => toServer(PORT, b));
});

const CORPUS = corpusFiles(['dnp3', 'fuzz-dnp3']);

test('corpus: dnp3.src / dnp3.dst agree with tshark per device; ground-truth roles', async (t) => {
  if (CORPUS.length === 0 || !hasTshark()) return t.skip('corpus or tshark absent');
  let pairs = 0;
  for (const file of CORPUS) {
    const r = await runCapture(file);
    assert.equal(r.dissectorErrors, 0, file);
    const ts = tshark(file, 'dnp3', ['eth.src', 'dnp3.src', 'dnp3.dst', 'dnp3.ctl.dir']);
    // Addresses are stated once per flow: compare (sender MAC, source address) pairs as sets.
    const theirs = new Set<string>();
    for (const [, [mac, src]] of ts) for (const s of src ?? []) theirs.add(mac![0] + '=' + s);
    const ours = new Set(
      r.obs.flatMap((o) =>
        o.kind === 'attribute' && o.key === 'dnp3.address' && o.field === 'link.src'
          ? [o.device.mac + '=' + o.value]
          : [],
      ),
    );
    // tshark also decodes frames whose header CRC fails (the fuzz capture): those we reject on purpose.
    for (const x of ours) assert.ok(theirs.has(x), `${file}: ours ${x} not in tshark`);
    if (!file.startsWith('fuzz')) assert.deepEqual([...theirs].sort(), [...ours].sort(), file);
    pairs += ours.size;
  }
  t.diagnostic(`dnp3.src/dnp3.dst: ${pairs} (device, address) pairs, all in agreement`);
  const z = await runCapture('dnp3__zeek__dnp3.pcap');
  for (const [mac, role] of [
    ['00:02:b3:ce:70:51', 'dnp3-outstation'],
    ['00:50:04:93:70:67', 'dnp3-master'],
    ['00:16:cb:8e:3f:0b', 'dnp3-master'],
    ['00:42:15:69:87:25', 'dnp3-outstation'],
  ]) {
    assert.ok(
      z.obs.some((o) => o.kind === 'role' && o.role === role && o.device.mac === mac),
      mac + ' ' + role,
    );
  }
  const outst = z.obs.filter((o) => o.device.mac === '00:02:b3:ce:70:51');
  assert.ok(attribute(outst, 'dnp3.address').includes('4'));
});
