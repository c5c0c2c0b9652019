// The native capture helper (glasspane-capture.c) against the Node one: the same frames, byte for byte,
// through live-source; its privileges; how it is found and configured; the build script's skip.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  configArgs,
  findNativeHelper,
  listInterfacesViaHelper,
  nativeCaptureHelper,
  nodeCaptureHelper,
  resolveCaptureHelper,
  startLiveCapture,
  type HelperCommand,
  type LiveCaptureOptions,
} from '../../src-main/capture/live/live-source';
import { nativeHelperError } from '../../src-main/capture/live/errors';
import { arp, ascii, ethernet, ipv4, udp, vlanTag } from '../helpers/packets';
import { createLab, labUnavailable, sendFrames, waitFor, type Lab } from './lab';
import { HELPER_KINDS, helperFor, nativeHelperPath, nativeUnavailable, repo } from './helpers';

const skipLab = labUnavailable();
const skipNative = skipLab ?? nativeUnavailable() ?? false;
const setprivOk = spawnSync('setpriv', ['--version']).status === 0;
const CRAFTED_MAC = '02:47:50:c0:ff:ee';

interface Got {
  bytes: Buffer;
  linkType: number;
  tsMs: number;
  wireLen: number;
  iface: number;
}

/** Captures with `helper` while `send` runs; returns what live-source handed out. */
async function captureWith(
  helper: HelperCommand,
  opts: Omit<LiveCaptureOptions, 'helper'>,
): Promise<{ got: Got[]; stop: () => Promise<void>; pid: number }> {
  const got: Got[] = [];
  const cap = startLiveCapture({ ...opts, helper }, (b, linkType, tsMs, wireLen, iface) =>
    got.push({ bytes: Buffer.from(b), linkType, tsMs, wireLen, iface }),
  );
  const r = await cap.started;
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return {
    got,
    pid: cap.pid!,
    stop: async () => {
      assert.equal((await cap.stop()).code, 0);
    },
  };
}

function procStatus(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (m !== null) out[m[1]!] = m[2]!;
  }
  return out;
}

describe('native helper against the Node helper, on a veth pair', { skip: skipNative }, () => {
  let lab: Lab;
  let native: HelperCommand;
  let node: HelperCommand;
  let frames: Uint8Array[];
  before(() => {
    lab = createLab('nat');
    native = helperFor('native');
    node = helperFor('node');
    const udpTo = (port: number, text: string) => ipv4(lab.ipB, lab.ipA, 17, udp(5000, port, ascii(text)));
    frames = [
      ethernet(lab.macA, CRAFTED_MAC, 0x0800, udpTo(40030, 'crafted-1')),
      ethernet(
        'ff:ff:ff:ff:ff:ff',
        CRAFTED_MAC,
        0x0806,
        arp(1, CRAFTED_MAC, '10.9.9.9', '00:00:00:00:00:00', lab.ipA),
      ),
      ethernet(lab.macA, CRAFTED_MAC, 0x88b5, ascii('x'.repeat(1400))),
      ethernet(lab.macA, CRAFTED_MAC, 0x8100, vlanTag(42, 0x0800, udpTo(40031, 'tagged'))),
      // An IPv4 header whose total length lies, and a header-only frame.
      ethernet(
        lab.macA,
        CRAFTED_MAC,
        0x0800,
        ipv4(lab.ipB, lab.ipA, 17, udp(1, 2, ascii('lie')), { totalLength: 9999 }),
      ),
      ethernet(lab.macA, CRAFTED_MAC, 0x88b5, new Uint8Array(0)),
    ];
  });
  after(() => lab?.cleanup());

  test('crafted frames reach live-source identically through both helpers (bytes, count, lengths)', async () => {
    const opts = { interfaces: [lab.ifA], wrap: lab.wrapA, filter: `ether src ${CRAFTED_MAC}` };
    const t0 = Date.now();
    const a = await captureWith(native, opts);
    const b = await captureWith(node, opts);
    sendFrames(lab.nsB, lab.ifB, frames, repo);
    await waitFor(() => a.got.length >= frames.length && b.got.length >= frames.length);
    await Promise.all([a.stop(), b.stop()]);
    const t1 = Date.now();
    for (const [name, got] of [
      ['native', a.got],
      ['node', b.got],
    ] as const) {
      assert.equal(got.length, frames.length, `${name}: one delivery per frame sent`);
      got.forEach((g, i) => {
        assert.deepEqual(g.bytes, Buffer.from(frames[i]!), `${name}: frame ${i} byte for byte`);
        assert.equal(g.wireLen, frames[i]!.length);
        assert.equal(g.linkType, 1);
        assert.equal(g.iface, 0);
        assert.ok(g.tsMs >= t0 - 1 && g.tsMs <= t1 + 1, `${name}: timestamp ${g.tsMs} within the run`);
      });
    }
    // The native helper uses the kernel's timestamp, the Node one the time it read the frame.
    a.got.forEach((g, i) => assert.ok(Math.abs(g.tsMs - b.got[i]!.tsMs) < 1000));
  });

  test('a snap length cuts the same bytes in both', async () => {
    const opts = { interfaces: [lab.ifA], wrap: lab.wrapA, filter: `ether src ${CRAFTED_MAC}`, snaplen: 30 };
    const a = await captureWith(native, opts);
    const b = await captureWith(node, opts);
    sendFrames(lab.nsB, lab.ifB, frames, repo);
    await waitFor(() => a.got.length >= frames.length && b.got.length >= frames.length);
    await Promise.all([a.stop(), b.stop()]);
    assert.equal(a.got.length, frames.length);
    assert.deepEqual(
      a.got.map((g) => [g.bytes.toString('hex'), g.wireLen]),
      frames.map((f) => [Buffer.from(f.subarray(0, 30)).toString('hex'), f.length]),
    );
    assert.deepEqual(
      b.got.map((g) => [g.bytes.toString('hex'), g.wireLen]),
      a.got.map((g) => [g.bytes.toString('hex'), g.wireLen]),
    );
  });

  test('once capturing, the native helper holds no capability at all (the Node helper, as root, does)', async () => {
    const opts = { interfaces: [lab.ifA], wrap: lab.wrapA };
    const a = await captureWith(native, opts);
    const b = await captureWith(node, opts);
    try {
      const s = procStatus(a.pid);
      assert.equal(s.CapEff, '0000000000000000');
      assert.equal(s.CapPrm, '0000000000000000');
      assert.equal(s.CapInh, '0000000000000000');
      assert.equal(s.NoNewPrivs, '1');
      // The same check on the Node helper finds root's capabilities: the check can tell.
      assert.notEqual(procStatus(b.pid).CapEff, '0000000000000000');
      // And it still captures after the drop.
      sendFrames(lab.nsB, lab.ifB, frames.slice(0, 1), repo);
      assert.ok(await waitFor(() => a.got.some((g) => g.bytes.equals(Buffer.from(frames[0]!)))));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  test('installed setuid root by mistake, it refuses to run', { skip: !setprivOk }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-setuid-'));
    const copy = join(dir, 'glasspane-capture');
    try {
      chmodSync(dir, 0o755);
      copyFileSync(nativeHelperPath(), copy);
      chmodSync(copy, 0o4755);
      const wrap = [...lab.wrapA, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
      const cap = startLiveCapture(
        { interfaces: [lab.ifA], wrap, helper: nativeCaptureHelper(copy) },
        () => {},
      );
      const r = await cap.started;
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, 'helper-failed');
      assert.match(r.error.message, /setuid/);
      assert.match(r.error.message, /setcap cap_net_raw=eip/);
      assert.equal((await cap.exited).code, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('both helpers list the namespace’s interfaces the same way', async () => {
    const [a, b] = await Promise.all([
      listInterfacesViaHelper({ wrap: lab.wrapA, helper: native }),
      listInterfacesViaHelper({ wrap: lab.wrapA, helper: node }),
    ]);
    assert.ok(a.ok && b.ok);
    assert.ok(a.interfaces.some((i) => i.name === lab.ifA && i.mac === lab.macA));
    const byName = (l: typeof a.interfaces) => [...l].sort((x, y) => x.name.localeCompare(y.name));
    assert.deepEqual(byName(a.interfaces), byName(b.interfaces));
  });
});

describe('native helper configuration and errors (no privileges needed)', () => {
  test('configArgs: JSON for the Node helper, options for the native one', () => {
    const cfg = {
      interfaces: ['eth0', '--list'],
      filter: 'udp port 53',
      snaplen: 60,
      bufferSize: 65536,
      statsIntervalMs: 100,
      maxQueueBytes: 1 << 20,
    };
    assert.deepEqual(configArgs(nodeCaptureHelper(), cfg), [JSON.stringify(cfg)]);
    assert.deepEqual(configArgs(nativeCaptureHelper('/x/glasspane-capture'), cfg), [
      '--interface',
      'eth0',
      '--interface',
      '--list',
      '--filter',
      'udp port 53',
      '--snaplen',
      '60',
      '--buffer-size',
      '65536',
      '--stats-interval-ms',
      '100',
      '--max-queue-bytes',
      String(1 << 20),
    ]);
    assert.deepEqual(configArgs(nativeCaptureHelper('/x'), { interfaces: [], list: true }), ['--list']);
    assert.deepEqual(configArgs(nativeCaptureHelper('/x'), { interfaces: ['lo'], filter: '' }), [
      '--interface',
      'lo',
    ]);
  });

  test('GLASSPANE_CAPTURE_HELPER picks the helper; without it the native one wins when present', () => {
    const saved = process.env.GLASSPANE_CAPTURE_HELPER;
    try {
      process.env.GLASSPANE_CAPTURE_HELPER = '/opt/x/glasspane-capture';
      assert.deepEqual(resolveCaptureHelper(), {
        command: '/opt/x/glasspane-capture',
        args: [],
        native: true,
      });
      process.env.GLASSPANE_CAPTURE_HELPER = '/opt/x/capture-process.cjs';
      const c = resolveCaptureHelper();
      assert.equal(c.command, process.execPath);
      assert.deepEqual(c.args, ['/opt/x/capture-process.cjs']);
      assert.notEqual(c.native, true);
      process.env.GLASSPANE_CAPTURE_HELPER = 'node';
      assert.deepEqual(resolveCaptureHelper(), nodeCaptureHelper());
      delete process.env.GLASSPANE_CAPTURE_HELPER;
      const found = findNativeHelper();
      const d = resolveCaptureHelper();
      if (found === null) assert.deepEqual(d, nodeCaptureHelper());
      else {
        assert.deepEqual(d, nativeCaptureHelper(found));
        // In a checkout it is the build's output, where build-capture-helper.mjs writes it.
        assert.equal(found, join(repo, 'dist', 'capture-helper', 'glasspane-capture'));
      }
      assert.equal(found !== null, existsSync(join(repo, 'dist', 'capture-helper', 'glasspane-capture')));
    } finally {
      if (saved === undefined) delete process.env.GLASSPANE_CAPTURE_HELPER;
      else process.env.GLASSPANE_CAPTURE_HELPER = saved;
    }
  });

  test('the native helper’s error records become the actionable messages of errors.ts', () => {
    const ctx = {
      filter: 'udp and and',
      interfaces: ['eth0'],
      binary: '/opt/G/resources/capture/glasspane-capture',
    };
    const f = nativeHelperError(
      { code: 'bad-filter', iface: 'eth0', detail: "can't parse filter expression: syntax error" },
      ctx,
    );
    assert.equal(f.code, 'bad-filter');
    assert.equal(
      f.message,
      "The capture filter 'udp and and' does not compile: can't parse filter expression: syntax error.",
    );
    const p = nativeHelperError(
      { code: 'permission-denied', iface: 'eth0', detail: 'Operation not permitted' },
      ctx,
    );
    assert.equal(p.fix, 'sudo setcap cap_net_raw=eip /opt/G/resources/capture/glasspane-capture');
    const n = nativeHelperError(
      { code: 'no-such-interface', iface: 'x', detail: 'd', available: ['lo', 7, 'eth0'] },
      ctx,
    );
    assert.equal(n.message, "There is no interface named 'x'. Interfaces that exist: lo, eth0.");
    // Hostile or broken records never throw and never pass through unexplained.
    for (const raw of [null, 'text', 42, {}, { code: 'rm -rf' }, { code: 'toString' }]) {
      const e = nativeHelperError(raw, ctx);
      assert.equal(e.code, 'helper-failed', JSON.stringify(raw));
    }
    const long = nativeHelperError({ code: 'open-failed', iface: 'eth0', detail: 'y'.repeat(100_000) }, ctx);
    assert.ok(long.message.length < 1000);
  });

  for (const kind of HELPER_KINDS) {
    test(
      `values out of range are refused as bad-config (${kind} helper)`,
      { skip: kind === 'native' && (nativeUnavailable() ?? false) },
      async () => {
        for (const bad of [
          { snaplen: 1.5 },
          { snaplen: 70000 },
          { maxQueueBytes: 2 ** 40 },
          { statsIntervalMs: -1 },
        ]) {
          const cap = startLiveCapture({ interfaces: ['lo'], helper: helperFor(kind), ...bad }, () => {});
          const r = await cap.started;
          assert.equal(r.ok, false, JSON.stringify(bad));
          if (!r.ok) assert.equal(r.error.code, 'bad-config', `${JSON.stringify(bad)}: ${r.error.message}`);
          assert.equal((await cap.exited).code, 2);
        }
      },
    );
  }

  test('the build script skips with one line when there is no compiler', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-nocc-'));
    try {
      const r = spawnSync(
        process.execPath,
        [join(repo, 'scripts/build-capture-helper.mjs'), `--out=${dir}`],
        {
          encoding: 'utf8',
          env: { ...process.env, CC: join(dir, 'no-such-cc') },
        },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, 1);
      assert.match(r.stdout, /skipping the native capture helper: no C compiler .*Node helper/);
      assert.equal(existsSync(join(dir, 'capture-helper', 'glasspane-capture')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
