// Capture rights as the packages give them: the capture-rights section of assets/linux/after-install.sh
// installs a copy of the native helper root:<group> 0750 with cap_net_raw, then real users run it:
// one outside the group (refused by the OS, and told how to join), one inside it (captures, with no
// capability and no environment left once capturing). The group and both users are created for the
// run with random names, and deleted afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeCaptureHelper, startLiveCapture } from '../../src-main/capture/live/live-source';
import { JOIN_GROUP_LINE } from '../../src-main/capture/live/errors';
import { ascii, ethernet } from '../helpers/packets';
import { createLab, labUnavailable, sendFrames, sleep, waitFor, type Lab } from './lab';
import { nativeHelperPath, nativeUnavailable, repo } from './helpers';

const TOOLS = ['setpriv', 'setcap', 'getcap', 'useradd', 'groupadd', 'mkfifo'];
const why =
  labUnavailable() ??
  nativeUnavailable() ??
  TOOLS.map((t) =>
    spawnSync('sh', ['-c', `command -v ${t}`]).status === 0
      ? null
      : `needs ${t} (util-linux, libcap, passwd)`,
  ).find((w) => w !== null) ??
  false;

const id = randomBytes(3).toString('hex');
const GROUP = `gpt-cap-${id}`;
const MEMBER = `gpt-in-${id}`;
const OUTSIDER = `gpt-out-${id}`;
const CRAFTED_MAC = '02:47:50:0d:0d:0d';

/**
 * Runs as `user` the way a login would: setpriv changes the ids, then a shell does the exec. setpriv
 * itself still holds root's capabilities when it execs (it keeps them across the uid change), so
 * its own exec would pass the file's permission check with CAP_DAC_OVERRIDE; the shell's does not.
 */
const as = (user: string) => [
  'setpriv',
  `--reuid=${user}`,
  `--regid=${user}`,
  '--init-groups',
  'sh',
  '-c',
  'exec "$0" "$@"',
];

function run(cmd: string, args: string[], input?: string) {
  return spawnSync(cmd, args, { encoding: 'utf8', input });
}

/** The after-install script's capture-rights section, for `helper` and the test's group. */
function capturePart(helper: string): string {
  const text = readFileSync(join(repo, 'assets/linux/after-install.sh'), 'utf8');
  const m = /^# --- capture rights.*\n([\s\S]*?)^# --- end of capture rights ---$/m.exec(text);
  assert.ok(m, 'the capture-rights section is marked in after-install.sh');
  assert.match(m[1]!, /^CAPTURE_GROUP='glasspane'$/m);
  return `CAPTURE_HELPER='${helper}'\n${m[1]!.replace(/^CAPTURE_GROUP='glasspane'$/m, `CAPTURE_GROUP='${GROUP}'`)}`;
}

function procStatus(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (m !== null) out[m[1]!] = m[2]!;
  }
  return out;
}

/**
 * Runs argv with stdout on a FIFO that is already full, so that the helper blocks writing its one
 * answer: its /proc status is read at that moment, after it has decided, before it has exited.
 */
async function statusWhileAnswering(
  argv: string[],
): Promise<{ status: Record<string, string>; out: string; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'gp-fifo-'));
  const fifo = join(dir, 'out');
  assert.equal(run('mkfifo', [fifo]).status, 0);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, constants.O_RDWR);
  const filler = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    let filled = 0;
    for (;;) {
      try {
        filled += writeSync(filler, Buffer.alloc(4096)); // PIPE_BUF: all or EAGAIN
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw e;
      }
    }
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', writer, 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    closeSync(writer);
    closeSync(filler);
    const pid = child.pid!;
    const blocked = () => {
      try {
        const s = procStatus(pid);
        return s.Name === 'glasspane-captu' && s.State?.startsWith('S') === true;
      } catch {
        return false;
      }
    };
    assert.ok(await waitFor(blocked), 'the helper blocks writing its answer to the full FIFO');
    const status = procStatus(pid);
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(65536);
    const end = Date.now() + 5000;
    for (;;) {
      let n: number;
      try {
        n = readSync(reader, buf);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > end) throw e;
        await sleep(10);
        continue;
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    const all = Buffer.concat(chunks);
    assert.ok(all.subarray(0, filled).every((b) => b === 0));
    return { status, out: all.subarray(filled).toString('utf8'), code: await exited };
  } finally {
    closeSync(reader);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('capture rights for one group, as the packages install them', { skip: why }, () => {
  let dir: string;
  let helper: string;
  let lab: Lab;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gp-group-'));
    chmodSync(dir, 0o755);
    helper = join(dir, 'glasspane-capture');
    copyFileSync(nativeHelperPath(), helper);
    lab = createLab('grp');
  });
  after(() => {
    lab?.cleanup();
    for (const u of [MEMBER, OUTSIDER]) run('userdel', [u]);
    run('groupdel', [GROUP]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the after-install section creates the group once and installs the helper root:group 0750 with cap_net_raw only', () => {
    assert.notEqual(run('getent', ['group', GROUP]).status, 0, 'the group does not exist before');
    const first = run('bash', ['-s'], capturePart(helper));
    assert.equal(first.status, 0, first.stderr);
    const gid = Number(run('getent', ['group', GROUP]).stdout.split(':')[2]);
    assert.ok(Number.isInteger(gid) && gid > 0);
    // Run again (an upgrade): the same group, no error.
    const again = run('bash', ['-s'], capturePart(helper));
    assert.equal(again.status, 0, again.stderr);
    assert.equal(Number(run('getent', ['group', GROUP]).stdout.split(':')[2]), gid);
    const st = statSync(helper);
    assert.equal(st.uid, 0);
    assert.equal(st.gid, gid);
    assert.equal(st.mode & 0o7777, 0o750);
    assert.equal(run('getcap', [helper]).stdout.trim(), `${helper} cap_net_raw=eip`);
    assert.match(again.stderr, new RegExp(`usermod -aG ${GROUP} \\$USER`));
    for (const [user, extra] of [
      [MEMBER, ['-G', GROUP]],
      [OUTSIDER, []],
    ] as const) {
      const r = run('useradd', ['--system', '-M', '-U', '-s', '/usr/sbin/nologin', ...extra, user]);
      assert.equal(r.status, 0, r.stderr);
    }
  });

  test('a user outside the group may not run it: the OS refuses, and the app says how to join', async () => {
    const r = run(as(OUTSIDER)[0]!, [...as(OUTSIDER).slice(1), helper, '--check-rights']);
    assert.notEqual(r.status, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Permission denied/);
    const cap = startLiveCapture(
      { interfaces: [lab.ifA], wrap: [...lab.wrapA, ...as(OUTSIDER)], helper: nativeCaptureHelper(helper) },
      () => {},
    );
    const s = await cap.started;
    assert.equal(s.ok, false);
    if (s.ok) return;
    assert.equal(s.error.code, 'permission-denied');
    assert.equal(s.error.fix, JOIN_GROUP_LINE);
    assert.equal(JOIN_GROUP_LINE, 'sudo usermod -aG glasspane $USER');
    assert.ok(s.error.message.includes(`only members of the glasspane group`), s.error.message);
    assert.ok(s.error.message.includes('then log out and in again'), s.error.message);
  });

  test('a member captures real frames in promiscuous mode with cap_net_raw alone, then holds no capability and no environment', async () => {
    // The promiscuity count (ip -d): packet sockets raise it; the PROMISC flag shows only the admin's.
    const promisc = () =>
      Number(/promiscuity (\d+)/.exec(run('ip', ['-d', '-n', lab.nsA, 'link', 'show', lab.ifA]).stdout)?.[1]);
    assert.equal(promisc(), 0);
    const got: Buffer[] = [];
    const secret = `gp-secret-${id}`;
    const cap = startLiveCapture(
      {
        interfaces: [lab.ifA],
        wrap: [...lab.wrapA, ...as(MEMBER)],
        helper: nativeCaptureHelper(helper),
        filter: `ether src ${CRAFTED_MAC}`,
        env: { GP_SECRET: secret },
      },
      (b) => got.push(Buffer.from(b)),
    );
    const r = await cap.started;
    try {
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      // Not for us: a unicast destination that is not ifA's own address.
      const frames = [1, 2, 3].map((k) =>
        ethernet('02:47:50:0e:0e:0e', CRAFTED_MAC, 0x88b5, ascii(`for someone else ${k}`)),
      );
      sendFrames(lab.nsB, lab.ifB, frames, repo);
      assert.ok(await waitFor(() => got.length >= frames.length));
      assert.deepEqual(
        got.map((g) => g.toString('hex')),
        frames.map((f) => Buffer.from(f).toString('hex')),
      );
      assert.equal(promisc(), 1, 'promiscuous mode without CAP_NET_ADMIN');
      const s = procStatus(cap.pid!);
      assert.equal(s.Name, 'glasspane-captu');
      const uid = Number(run('id', ['-u', MEMBER]).stdout);
      assert.equal(Number(s.Uid!.split(/\s+/)[0]), uid);
      assert.equal(s.CapEff, '0000000000000000');
      assert.equal(s.CapPrm, '0000000000000000');
      assert.equal(s.CapInh, '0000000000000000');
      assert.equal(s.CapAmb, '0000000000000000');
      assert.equal(s.NoNewPrivs, '1');
      // The environment it was given is gone from its memory, not just forgotten by clearenv().
      const env = readFileSync(`/proc/${cap.pid!}/environ`);
      assert.ok(env.length > 0, 'the block is still there, wiped');
      assert.ok(
        env.every((b) => b === 0),
        `environ: ${env.toString().replace(/\0/g, ' ').slice(0, 200)}`,
      );
    } finally {
      await cap.stop();
    }
    // The same reading on a program that keeps its environment finds the variable: the check can tell.
    const sleeper = spawn(as(MEMBER)[0]!, [...as(MEMBER).slice(1), 'sleep', '5'], {
      env: { ...process.env, GP_SECRET: secret },
      stdio: 'ignore',
    });
    try {
      assert.ok(await waitFor(() => procStatus(sleeper.pid!).Name === 'sleep'));
      assert.ok(readFileSync(`/proc/${sleeper.pid!}/environ`, 'utf8').includes(`GP_SECRET=${secret}`));
    } finally {
      sleeper.kill();
    }
  });

  test('--check-rights and --check-filter answer with no capability in effect', async () => {
    const rights = await statusWhileAnswering([...as(MEMBER), helper, '--check-rights']);
    assert.equal(rights.out, 'yes\n');
    assert.equal(rights.code, 0);
    assert.equal(rights.status.CapEff, '0000000000000000');
    assert.equal(rights.status.CapPrm, '0000000000000000');
    assert.equal(rights.status.NoNewPrivs, '1');
    const filter = await statusWhileAnswering([...as(MEMBER), helper, '--check-filter', 'udp port 53']);
    assert.equal(filter.out, 'ok\n');
    assert.equal(filter.code, 0);
    assert.equal(filter.status.CapEff, '0000000000000000');
    assert.equal(filter.status.CapPrm, '0000000000000000');
  });

  test('the start screen (listSources) tells each user what is missing', () => {
    // The start screen's source, run as each user (tsx, in a fresh node) against the installed copy.
    const probe = join(dir, 'probe.mts');
    const sources = join(repo, 'src-main/ipc/sources.ts');
    writeFileSync(
      probe,
      `import { listSources } from ${JSON.stringify(sources)};\n` +
        'console.log(JSON.stringify(listSources().live));\n',
    );
    chmodSync(probe, 0o644);
    const live = (user: string, helperFile: string) => {
      const r = spawnSync(as(user)[0]!, [...as(user).slice(1), process.execPath, '--import', 'tsx', probe], {
        cwd: repo,
        encoding: 'utf8',
        env: { ...process.env, GLASSPANE_CAPTURE_HELPER: helperFile },
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { available: boolean; reason?: string; fix?: string };
    };
    assert.deepEqual(live(OUTSIDER, helper), {
      available: false,
      reason: 'Only members of the glasspane group may capture packets, and you are not one yet.',
      fix: 'Join the group once with: sudo usermod -aG glasspane $USER, then log out and in again. Do not run Glasspane as root.',
    });
    assert.deepEqual(live(MEMBER, helper), { available: true });
    // A checkout's helper anyone may run but without the capability: the lines that set it up.
    const bare = join(dir, 'bare-glasspane-capture');
    copyFileSync(nativeHelperPath(), bare);
    chmodSync(bare, 0o755);
    const lines =
      `sudo groupadd -f --system glasspane && sudo chgrp glasspane ${bare} && sudo chmod 0750 ${bare} && ` +
      `sudo setcap cap_net_raw=eip ${bare} && sudo usermod -aG glasspane $USER`;
    const l = live(OUTSIDER, bare);
    assert.equal(l.available, false);
    assert.ok(l.fix?.includes(lines), l.fix);
  });

  test('a member cannot capture pseudo-devices, an interface twice or oversized buffers', async () => {
    const wrap = [...lab.wrapA, ...as(MEMBER)];
    const cases: [Parameters<typeof startLiveCapture>[0], string, RegExp][] = [
      [{ interfaces: ['nfqueue'] }, 'pseudo-device', /'nfqueue' is not a network interface/],
      [{ interfaces: ['nflog'] }, 'pseudo-device', /'nflog' is not a network interface/],
      [{ interfaces: ['usbmon0'] }, 'pseudo-device', /'usbmon0' is not a network interface/],
      [{ interfaces: ['dbus-system'] }, 'pseudo-device', /pseudo-devices/],
      [{ interfaces: ['bluetooth0'] }, 'pseudo-device', /pseudo-devices/],
      [{ interfaces: ['nflog'], allowPseudoDevice: true }, 'pseudo-device', /honoured for root only/],
      [{ interfaces: [lab.ifA, 'lo', lab.ifA] }, 'duplicate-interface', /named more than once/],
      [{ interfaces: [lab.ifA], bufferSize: 128 << 20 }, 'bad-config', /from 65536 to 67108864/],
      [
        { interfaces: [lab.ifA, 'lo', 'any', 'x1', 'x2'], bufferSize: 64 << 20 },
        'bad-config',
        /at most 268435456 \(256 MiB in all\)/,
      ],
    ];
    for (const [opts, code, message] of cases) {
      const cap = startLiveCapture({ ...opts, wrap, helper: nativeCaptureHelper(helper) }, () => {});
      const r = await cap.started;
      assert.equal(r.ok, false, JSON.stringify(opts));
      if (r.ok) continue;
      assert.equal(r.error.code, code, `${JSON.stringify(opts)}: ${r.error.message}`);
      assert.match(r.error.message, message);
      assert.equal((await cap.exited).code, 2);
    }
    // 'any' is a network capture: allowed, as is the largest buffer.
    const ok = startLiveCapture(
      { interfaces: ['any'], wrap, helper: nativeCaptureHelper(helper), bufferSize: 64 << 20 },
      () => {},
    );
    const r = await ok.started;
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    await ok.stop();
  });
});
