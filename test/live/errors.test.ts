// The helper's failures, each a typed code with a message that says how to fix it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listInterfacesViaHelper, startLiveCapture } from '../../src-main/capture/live/live-source';
import { listInterfaces } from '../../src-main/capture/live/interfaces';
import { FAKE_NO_CAP_ENV } from '../../src-main/native/cap';
import { createLab, labUnavailable, type Lab } from './lab';
import { HELPER_KINDS, helperFor, nativeHelperPath, skipFor } from './helpers';
import type { HelperCommand } from '../../src-main/capture/live/live-source';

const skip = labUnavailable();
const setprivOk = spawnSync('setpriv', ['--version']).status === 0;
const setcapOk = spawnSync('setcap', ['-v', 'cap_net_raw=ep', process.execPath]).error === undefined;

/** The shared library the native helper loads libpcap from, as the dynamic loader resolves it. */
function libpcapPath(binary: string): string | null {
  const r = spawnSync('ldd', [binary], { encoding: 'utf8' });
  return /libpcap\S*\s+=>\s+(\S+)/.exec(r.stdout ?? '')?.[1] ?? null;
}

for (const kind of HELPER_KINDS)
  describe(`live capture errors (${kind} helper)`, { skip: skipFor(kind, skip) }, () => {
    let lab: Lab;
    let helper: HelperCommand;
    /** The file capture rights belong on. */
    let binary: string;
    before(() => {
      lab = createLab('err');
      helper = helperFor(kind);
      binary = realpathSync(kind === 'node' ? process.execPath : helper.command);
    });
    after(() => lab?.cleanup());

    test('a missing interface lists the ones that exist', async () => {
      const cap = startLiveCapture({ interfaces: [lab.ifA, 'nope0'], wrap: lab.wrapA, helper }, () => {});
      const r = await cap.started;
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, 'no-such-interface');
      assert.equal(r.error.iface, 'nope0');
      assert.ok(r.error.message.includes("'nope0'"));
      // The namespace's real interfaces, and nothing from the host.
      assert.ok(r.error.message.includes(lab.ifA), r.error.message);
      assert.ok(r.error.message.includes('lo'), r.error.message);
      assert.ok(!r.error.message.includes(lab.ifB), 'B is in another namespace');
      assert.equal((await cap.exited).code, 2);
    });

    test(
      'no capture rights: the permission error with the setcap line, not "run as root"',
      { skip: !setprivOk },
      async () => {
        const wrap = [...lab.wrapA, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
        const cap = startLiveCapture({ interfaces: [lab.ifA], wrap, helper }, () => {});
        const r = await cap.started;
        assert.equal(r.ok, false);
        if (r.ok) return;
        assert.equal(r.error.code, 'permission-denied', r.error.message);
        const line = `sudo setcap cap_net_raw=eip ${binary}`;
        assert.equal(r.error.fix, line);
        assert.ok(r.error.message.includes(line), r.error.message);
        assert.ok(/do not run glasspane as root/i.test(r.error.message));
        // Only node passes the rights on to whatever it runs; the native helper runs nothing else.
        assert.equal(
          /every program run by that binary/.test(r.error.message),
          kind === 'node',
          r.error.message,
        );
        assert.equal(r.error.iface, lab.ifA);
        assert.ok(/not permitted|permission/i.test(r.error.detail ?? ''), r.error.detail);
      },
    );

    test(
      `running the setcap line from that error is the fix (on a copy of ${kind === 'node' ? 'node' : 'glasspane-capture'})`,
      { skip: !setprivOk || !setcapOk },
      async () => {
        // Never the system's node or the build's helper: a private copy gets the capability, and is
        // deleted afterwards.
        const dir = mkdtempSync(join(tmpdir(), 'gp-setcap-'));
        const copy = join(dir, kind === 'node' ? 'node' : 'glasspane-capture');
        try {
          copyFileSync(kind === 'node' ? process.execPath : nativeHelperPath(), copy);
          chmodSync(copy, 0o755);
          // The same helper, run by the copy (node runs the Node helper's script; the copy is the native one).
          const mine = { ...helper, command: copy };
          const wrap = [...lab.wrapA, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
          const denied = await startLiveCapture({ interfaces: [lab.ifA], wrap, helper: mine }, () => {})
            .started;
          assert.equal(denied.ok, false);
          if (denied.ok) return;
          assert.equal(denied.error.code, 'permission-denied');
          assert.equal(denied.error.fix, `sudo setcap cap_net_raw=eip ${copy}`);
          // We are root already: run the line without sudo.
          const [cmd, ...args] = denied.error.fix.replace(/^sudo /, '').split(' ');
          execFileSync(cmd!, args);
          const cap = startLiveCapture({ interfaces: [lab.ifA], wrap, helper: mine }, () => {});
          const r = await cap.started;
          assert.ok(r.ok, r.ok ? '' : r.error.message);
          assert.equal((await cap.stop()).code, 0);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );

    test('cap/libpcap not loadable: the install line, and files keep working', async (t) => {
      let wrap = lab.wrapA;
      let env: Record<string, string> = { [FAKE_NO_CAP_ENV]: '1' };
      if (kind === 'native') {
        // Hide libpcap from the dynamic loader in a private mount namespace: an empty file over it.
        const lib = libpcapPath(helper.command);
        if (lib === null) return t.skip('ldd does not say where libpcap is');
        wrap = [
          ...lab.wrapA,
          'unshare',
          '-m',
          'sh',
          '-c',
          `mount --bind /dev/null '${lib}' && exec "$@"`,
          'sh',
        ];
        env = {};
      }
      const cap = startLiveCapture({ interfaces: [lab.ifA], wrap, env, helper }, () => {});
      const r = await cap.started;
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, 'capture-unavailable');
      assert.ok(r.error.message.includes('sudo apt-get install libpcap0.8'), r.error.message);
      assert.ok(r.error.message.includes('capture files keeps working'), r.error.message);
    });

    test('an unusable configuration is refused', async () => {
      const cap = startLiveCapture({ interfaces: [lab.ifA], wrap: lab.wrapA, snaplen: 0, helper }, () => {});
      const r = await cap.started;
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, 'bad-config');
    });

    test('a helper that cannot start is a helper failure, with its stderr kept for the log', async () => {
      const cap = startLiveCapture(
        { interfaces: ['lo'], wrap: ['ip', 'netns', 'exec', `${lab.nsA}-missing`], helper },
        () => {},
      );
      const r = await cap.started;
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, 'helper-failed');
      assert.ok((r.error.detail ?? '').length > 0);
    });

    test('interfaces listed from inside the namespace: addresses, netmask, MAC, flags', async () => {
      const r = await listInterfacesViaHelper({ wrap: lab.wrapA, helper });
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      const a = r.interfaces.find((i) => i.name === lab.ifA);
      assert.ok(a !== undefined, `${lab.ifA} listed`);
      assert.equal(a.mac, lab.macA);
      assert.deepEqual(
        a.addresses.filter((x) => x.family === 'ipv4').map((x) => [x.addr, x.netmask]),
        [[lab.ipA, '255.255.255.0']],
      );
      assert.equal(a.loopback, false);
      assert.equal(a.up, true);
      assert.ok(a.flags.includes('up'));
      const lo = r.interfaces.find((i) => i.name === 'lo');
      assert.ok(lo !== undefined && lo.loopback && lo.flags.includes('loopback'));
      assert.ok(lo.addresses.some((x) => x.addr === '127.0.0.1' && x.netmask === '255.0.0.0'));
      assert.ok(!r.interfaces.some((i) => i.name === lab.ifB));
    });
  });

test('interfaces listed in-process (no privileges needed)', () => {
  const r = listInterfaces();
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const lo = r.interfaces.find((i) => i.name === 'lo');
  assert.ok(lo !== undefined, 'lo is listed');
  assert.equal(lo.loopback, true);
  assert.ok(
    lo.addresses.some((x) => x.family === 'ipv4' && x.addr === '127.0.0.1' && x.netmask === '255.0.0.0'),
  );
});
