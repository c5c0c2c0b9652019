// The helper ends when asked, when its stdin closes, and when its parent dies.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import {
  configArgs,
  startLiveCapture,
  type HelperCommand,
  type LiveStatus,
} from '../../src-main/capture/live/live-source';
import { FrameParser, REC_STATS, REC_STATUS, type ControlRecord } from '../../src-main/capture/live/framing';
import { createLab, labUnavailable, waitFor, type Lab } from './lab';
import { HELPER_KINDS, helperFor, skipFor } from './helpers';

const skip = labUnavailable();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (const kind of HELPER_KINDS)
  describe(`helper lifecycle (${kind} helper)`, { skip: skipFor(kind, skip) }, () => {
    let lab: Lab;
    let helper: HelperCommand;
    before(() => {
      lab = createLab('life');
      helper = helperFor(kind);
    });
    after(() => lab?.cleanup());

    test('stop() resolves once the helper has exited', async () => {
      const cap = startLiveCapture({ interfaces: [lab.ifA], wrap: lab.wrapA, helper }, () => {});
      assert.ok((await cap.started).ok);
      const pid = cap.pid!;
      assert.ok(alive(pid));
      const exit = await cap.stop();
      assert.deepEqual(exit, { code: 0, signal: null, expected: true });
      assert.equal(alive(pid), false);
      assert.equal(await cap.stop(), exit, 'stopping twice is harmless');
    });

    test('an interface that disappears mid-capture is reported as lost, not as a crash', async () => {
      const life = createLab('gone');
      try {
        const statuses: LiveStatus[] = [];
        const cap = startLiveCapture(
          { interfaces: [life.ifA], wrap: life.wrapA, helper },
          () => {},
          (s) => statuses.push(s),
        );
        assert.ok((await cap.started).ok);
        execFileSync('ip', ['-n', life.nsA, 'link', 'del', life.ifA]);
        const exit = await cap.exited;
        // cap aborts (recognised from its stderr afterwards); the native helper reports it, then exits 2.
        assert.equal(exit.expected, kind === 'native');
        if (kind === 'native') assert.equal(exit.code, 2);
        const errors = statuses.flatMap((s) => (s.kind === 'error' ? [s.error] : []));
        assert.equal(errors.length, 1);
        assert.equal(errors[0]!.code, 'interface-lost');
        assert.equal(errors[0]!.iface, life.ifA);
        assert.ok(errors[0]!.message.includes(life.ifA));
      } finally {
        life.cleanup();
      }
    });

    for (const how of ['stdin closed', 'SIGTERM'] as const) {
      test(`${how === 'SIGTERM' ? 'SIGTERM' : 'closing stdin'} ends the helper, after a final stats record`, async () => {
        const h = helper;
        const child = spawn(
          lab.wrapA[0]!,
          [...lab.wrapA.slice(1), h.command, ...h.args, ...configArgs(h, { interfaces: [lab.ifA] })],
          {
            cwd: h.cwd,
            stdio: ['pipe', 'pipe', 'ignore'],
          },
        );
        const recs: ControlRecord[] = [];
        const parser = new FrameParser({
          frame: () => {},
          control: (r) => recs.push(r),
          corrupt: assert.fail,
        });
        child.stdout.on('data', (d: Buffer) => parser.push(d));
        const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
        assert.ok(
          await waitFor(() => recs.some((r) => r.type === REC_STATUS && r.value.kind === 'started'), 10000),
        );
        // `ip netns exec` execs the helper, so the child's pid is the helper's.
        if (how === 'SIGTERM') child.kill('SIGTERM');
        else child.stdin.end();
        const code = await Promise.race([
          closed,
          new Promise<string>((r) => setTimeout(() => r('timeout'), 5000)),
        ]);
        if (code === 'timeout') child.kill('SIGKILL');
        assert.equal(code, 0);
        const stopping = recs.find((r) => r.type === REC_STATUS && r.value.kind === 'stopping');
        assert.deepEqual(stopping?.value, { kind: 'stopping', reason: how });
        const last = recs[recs.length - 1]!;
        assert.equal(last.type, REC_STATS);
        if (last.type === REC_STATS) assert.equal(last.value.final, true);
        assert.equal(parser.pending, 0);
      });
    }

    test('the helper exits when its parent is killed', async () => {
      const fixture = join(import.meta.dirname, 'fixtures', 'orphan-parent.ts');
      // The fixture takes the default helper, which GLASSPANE_CAPTURE_HELPER picks ('node' or a path).
      const env = { ...process.env, GLASSPANE_CAPTURE_HELPER: kind === 'node' ? 'node' : helper.command };
      const parent = spawn(process.execPath, ['--import', 'tsx', fixture, lab.ifA, ...lab.wrapA], {
        stdio: ['ignore', 'pipe', 'ignore'],
        env,
      });
      let out = '';
      parent.stdout.setEncoding('utf8');
      parent.stdout.on('data', (d: string) => (out += d));
      assert.ok(await waitFor(() => out.includes('\n'), 10000), 'the parent reported the helper');
      const { ok, pid } = JSON.parse(out) as { ok: boolean; pid: number };
      assert.ok(ok);
      assert.ok(alive(pid));
      // The helper that runs is the one the override names.
      const exe = readlinkSync(`/proc/${pid}/exe`);
      if (kind === 'native') assert.equal(exe, helper.command);
      else assert.equal(exe, realpathSync(process.execPath));
      parent.kill('SIGKILL');
      assert.ok(await waitFor(() => !alive(pid), 5000), `helper ${pid} gone after its parent died`);
    });
  });
