// The helper-to-app framing, and the native loader: no network needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FrameParser,
  FRAME_HEADER,
  MAX_RECORD,
  REC_ERROR,
  REC_STATS,
  encodeControl,
  writeFrame,
  type ControlRecord,
} from '../../src-main/capture/live/framing';
import { loadNative, electronBuildDirs, repoRoot } from '../../src-main/native/load-native';
import { loadCap } from '../../src-main/native/cap';
import { capLinkType } from '../../src-main/capture/live/cap-linktype';
import { resolveConfig } from '../../src-main/capture/live/config';
import { nodeCaptureHelper } from '../../src-main/capture/live/live-source';
import { helperFailed } from '../../src-main/capture/live/errors';

interface Got {
  data: number[];
  linkType: number;
  ts: number;
  wire: number;
  iface: number;
}

function stream(): { bytes: Buffer; frames: Got[] } {
  const frames: Got[] = [];
  const parts: Buffer[] = [];
  for (let i = 0; i < 5; i++) {
    const data = Buffer.from(Array.from({ length: 10 + i * 37 }, (_, k) => (k * 7 + i) & 0xff));
    const f: Got = {
      data: [...data],
      linkType: [1, 113, 101, 276, 127][i]!,
      ts: 1.7e12 + i * 0.001,
      wire: data.length + i,
      iface: i,
    };
    const out = Buffer.alloc(FRAME_HEADER + data.length);
    writeFrame(out, 0, f.iface, f.linkType, f.ts, f.wire, data, data.length);
    parts.push(out);
    frames.push(f);
    if (i === 2) parts.push(encodeControl(REC_STATS, { ts: 1, final: false, interfaces: [] }));
  }
  return { bytes: Buffer.concat(parts), frames };
}

function parseAll(chunks: Buffer[]): { frames: Got[]; controls: ControlRecord[]; corrupt: string[] } {
  const frames: Got[] = [];
  const controls: ControlRecord[] = [];
  const corrupt: string[] = [];
  const p = new FrameParser({
    frame: (b, linkType, ts, wire, iface) => frames.push({ data: [...b], linkType, ts, wire, iface }),
    control: (r) => controls.push(r),
    corrupt: (w) => corrupt.push(w),
  });
  for (const c of chunks) p.push(c);
  return { frames, controls, corrupt };
}

test('records survive being split at every byte', () => {
  const { bytes, frames } = stream();
  for (let cut = 0; cut <= bytes.length; cut++) {
    const got = parseAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(got.frames, frames, `cut at ${cut}`);
    assert.equal(got.controls.length, 1);
    assert.equal(got.corrupt.length, 0);
  }
  const bytewise = parseAll([...bytes].map((b) => Buffer.from([b])));
  assert.deepEqual(bytewise.frames, frames);
});

test('a frame cut to the snap length is flagged', () => {
  const out = Buffer.alloc(FRAME_HEADER + 4);
  writeFrame(out, 0, 0, 1, 0, 1500, Buffer.from([1, 2, 3, 4, 5, 6]), 4);
  assert.equal(out[5], 1);
  assert.deepEqual(parseAll([out]).frames[0]!.data, [1, 2, 3, 4]);
});

test('a lying length, an unknown type or bad JSON stops the parser', () => {
  const huge = Buffer.alloc(8);
  huge.writeUInt32LE(MAX_RECORD + 1, 0);
  assert.equal(parseAll([huge]).corrupt.length, 1);
  const unknown = Buffer.from([1, 0, 0, 0, 99]);
  assert.equal(parseAll([unknown]).corrupt.length, 1);
  const badJson = Buffer.from([3, 0, 0, 0, REC_ERROR, 0x7b, 0x7b]);
  assert.equal(parseAll([badJson]).corrupt.length, 1);
  const { bytes, frames } = stream();
  const after = parseAll([unknown, bytes]);
  assert.equal(after.frames.length, 0, 'nothing after corruption is trusted');
  assert.ok(frames.length > 0);
});

test('a sink that throws does not desynchronise the stream', () => {
  const { bytes, frames } = stream();
  const got: number[][] = [];
  let calls = 0;
  const p = new FrameParser({
    frame: (b) => {
      if (++calls === 2) throw new Error('consumer bug');
      got.push([...b]);
    },
    control: () => {},
    corrupt: assert.fail,
  });
  const half = Math.floor(bytes.length / 2);
  assert.throws(() => p.push(bytes.subarray(0, half)), /consumer bug/);
  p.push(bytes.subarray(half));
  assert.deepEqual(got, [frames[0]!.data, ...frames.slice(2).map((f) => f.data)]);
});

test('errors travel as JSON data, round trip', () => {
  const e = helperFailed('x', 'y');
  const got = parseAll([encodeControl(REC_ERROR, e)]);
  assert.deepEqual(got.controls, [{ type: REC_ERROR, value: e }]);
});

test('cap link type names map to LINKTYPE_ values', () => {
  assert.equal(capLinkType('ETHERNET'), 1);
  assert.equal(capLinkType('LINKTYPE_LINUX_SLL'), 113);
  assert.equal(capLinkType('RAW'), 101);
  assert.equal(capLinkType('Unknown linktype 12'), 101);
  assert.equal(capLinkType('Unknown linktype 276'), 276);
  assert.equal(capLinkType('garbage'), -1);
});

test('config validation', () => {
  assert.deepEqual(resolveConfig({ interfaces: ['eth0'] }).snaplen, 65535);
  assert.throws(() => resolveConfig({ interfaces: [] }));
  assert.throws(() => resolveConfig({ interfaces: ['a'], snaplen: 70000 }));
  assert.throws(() => resolveConfig({ interfaces: [1] }));
  assert.throws(() => resolveConfig(null));
  assert.equal(resolveConfig({ list: true }).list, true);
});

test('the native loader: cap loads under Node, a missing module is a typed error, not a throw', () => {
  const cap = loadCap();
  assert.ok(cap.ok, cap.ok ? '' : cap.error.message);
  assert.equal(typeof cap.cap.Cap.deviceList, 'function');
  const none = loadNative('glasspane-no-such-native-module');
  assert.equal(none.ok, false);
  if (!none.ok) {
    assert.equal(none.error.code, 'native-unavailable');
    assert.ok(none.error.message.includes('glasspane-no-such-native-module'));
  }
  const root = repoRoot();
  assert.ok(root !== undefined);
  assert.deepEqual(electronBuildDirs('cap', '41.7.1'), [`${root}/.native/electron-41.7.1/cap`]);
  // Under Electron the Node-ABI build in node_modules is never used: without an Electron build, a
  // clear error that says where it looked and how to get one.
  const e = loadNative('cap', '0.0.0-glasspane-test');
  assert.equal(e.ok, false);
  if (!e.ok) {
    assert.ok(e.error.message.includes(`${root}/.native/electron-0.0.0-glasspane-test/cap`), e.error.message);
    assert.ok(e.error.message.includes('npm start'));
  }
});

test('from TypeScript source the Node helper runs through tsx', () => {
  const h = nodeCaptureHelper();
  assert.equal(h.command, process.execPath);
  assert.deepEqual(h.args.slice(0, 2), ['--import', 'tsx']);
  assert.ok(h.args[2]!.endsWith('src-main/capture/live/capture-process.ts'));
});
