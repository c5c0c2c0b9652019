// `glasspane serve --forward`: what the console's clients receive (devices, alerts) reaches a real
// rsyslog while serving; a dead or stuck destination holds neither the analysis nor the shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ForwardEvent } from '../../shared/forward/events';
import { PCAPS } from '../helpers/corpus';
import { repoRoot, startServe } from '../serve/helpers/serve-process';
import { waitForCaptureState, WsClient } from '../serve/helpers/ws-client';
import { RSYSLOG_SKIP, startRsyslog, type Rsyslog } from './rsyslog';

const capture = join(PCAPS, 'enip-listidentity__icsnpp-enip__enip_cip_example.pcap');
const skip = RSYSLOG_SKIP;

let rs: Rsyslog;
before(async () => {
  if (skip === false) rs = await startRsyslog();
});
after(async () => {
  if (skip === false) await rs.stop();
});

const SYSLOG = /^<(\d+)>1 (\S+) (\S+) glasspane (\d+) (\S+) (\[origin [^\]]*\]) (.*)$/s;
const scratch = () => mkdtempSync(join(tmpdir(), 'gp-serve-fwd-'));

interface Snap {
  devices: { id: string; lastSeen: string }[];
  status: { state: string };
}

test(
  'serve --forward sends every device discovered, every alert, silences and snapshots while serving',
  { skip },
  async () => {
    const dir = scratch();
    const from = rs.lines().length;
    const s = await startServe([
      '--db',
      join(dir, 'store.db'),
      '--learn',
      '0',
      '--data-dir',
      dir,
      '--forward',
      `syslog+tcp://127.0.0.1:${rs.tcpPort}?format=json`,
      '--not-seen',
      '20s',
      '--snapshot-every',
      '30s',
      '--open',
      capture,
    ]);
    try {
      const c = await WsClient.connect(s.origin, s.token);
      const snap = (await waitForCaptureState(c, ['finished'])) as Snap;
      // Let the last batch and its alerts reach the hub, then read what the clients were told.
      await new Promise((r) => setTimeout(r, 1000));
      const alerts = (
        (await c.call('listAlerts', {})) as { ok: boolean; value: { alerts: { id: string }[] } }
      ).value.alerts;
      assert.ok(snap.devices.length > 0 && alerts.length > 0, 'the capture has devices and raises alerts');
      const n = snap.devices.length + alerts.length;
      // A file run's clock is its capture time: by its end, every device silent for 20 s is due.
      const end = Math.max(...snap.devices.map((d) => Date.parse(d.lastSeen)));
      const silent = snap.devices.filter((d) => end - Date.parse(d.lastSeen) >= 20_000);
      assert.ok(silent.length > 0);
      let events: ForwardEvent[] = [];
      const until = Date.now() + 20_000;
      const read = () =>
        rs
          .lines()
          .slice(from)
          .map((l) => JSON.parse(SYSLOG.exec(l)![7]!) as ForwardEvent);
      // Delivered while the console still serves: no shutdown needed.
      for (;;) {
        events = read();
        const reported = new Set(events.filter((e) => e.kind === 'not-seen').map((e) => e.device!.id));
        if (events.length >= n && silent.every((d) => reported.has(d.id))) break;
        if (Date.now() > until)
          assert.fail(`${events.length} events after 20 s: ${JSON.stringify(events.map((e) => e.kind))}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const e of events.filter((x) => x.kind === 'not-seen')) {
        assert.equal(e.notSeen!.afterSeconds, 20);
        assert.equal(e.time, new Date(Date.parse(e.device!.lastSeen) + 20_000).toISOString());
      }
      const snaps = events.filter((e) => e.kind === 'snapshot');
      assert.ok(snaps.length > 0, 'a snapshot on a 30 s boundary of capture time');
      for (const e of snaps)
        assert.equal(snaps.filter((x) => x.snapshot!.id === e.snapshot!.id).length, e.snapshot!.count);
      const discovered = events.filter((e) => e.kind === 'discovered');
      assert.deepEqual(
        discovered.map((e) => e.device!.id).sort(),
        snap.devices.map((d) => d.id).sort(),
        'one discovered event per device the console shows',
      );
      assert.deepEqual(
        events
          .filter((e) => e.kind === 'alert')
          .map((e) => e.alert!.id)
          .sort(),
        alerts.map((a) => a.id).sort(),
        'one alert event per alert raised',
      );
      // The rest are changes of devices already discovered, each after its discovery.
      for (const [i, e] of events.entries())
        if (e.kind === 'changed') {
          assert.ok(e.changes!.length > 0);
          assert.ok(events.findIndex((x) => x.kind === 'discovered' && x.device!.id === e.device!.id) < i);
        }
      assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'no event twice');
      c.close();
    } finally {
      assert.equal(await s.stop(), 0);
      rmSync(dir, { recursive: true, force: true });
    }
    assert.match(s.stderr(), /forwarded \d+ event\(s\) to syslog\+tcp/);
  },
);

/** A receiver that accepts connections and never reads them. */
async function blackHole() {
  const held: Socket[] = [];
  const srv = createServer((c) => {
    c.pause();
    held.push(c);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as { port: number }).port,
    close() {
      for (const c of held) c.destroy();
      srv.close();
    },
  };
}

async function timeToFinished(
  args: string[],
): Promise<{ ms: number; devices: number; stop: () => Promise<number | null>; stderr: () => string }> {
  const s = await startServe(args);
  const c = await WsClient.connect(s.origin, s.token);
  const t0 = Date.now();
  const r = await c.call('openCapture', { paths: [capture] });
  assert.ok((r as { ok: boolean }).ok, JSON.stringify(r));
  const snap = (await waitForCaptureState(c, ['finished'])) as Snap;
  const ms = Date.now() - t0;
  c.close();
  return { ms, devices: snap.devices.length, stop: () => s.stop(), stderr: () => s.stderr() };
}

test(
  'a dead and a stuck destination slow neither the analysis nor the shutdown; their events wait on disk',
  { skip },
  async () => {
    const dir = scratch();
    const hole = await blackHole();
    const down = await startRsyslog();
    const refused = down.tcpPort;
    await down.stop();
    try {
      const plain = await timeToFinished([]);
      assert.equal(await plain.stop(), 0);
      const stuck = `syslog+tcp://127.0.0.1:${hole.port}?format=cef`;
      const dead = `syslog+tcp://127.0.0.1:${refused}?format=cef`;
      const fwd = await timeToFinished([
        '--data-dir',
        dir,
        '--forward',
        stuck,
        '--forward',
        dead,
        '--snapshot-every',
        '1m',
      ]);
      assert.equal(fwd.devices, plain.devices);
      assert.ok(
        fwd.ms < plain.ms * 2 + 3000,
        `the capture took ${fwd.ms} ms with the dead destinations, ${plain.ms} ms without`,
      );
      // Events reach the queues about once a second.
      await new Promise((r) => setTimeout(r, 1500));
      const t0 = Date.now();
      assert.equal(await fwd.stop(), 0);
      const stopMs = Date.now() - t0;
      assert.ok(stopMs < 15_000, `shutdown took ${stopMs} ms (at most 5 s for the destinations)`);
      const err = fwd.stderr();
      assert.match(
        err,
        new RegExp(`warning: ${stuck.replace(/[?+.]/g, '\\$&')}: \\d+ event\\(s\\) still queued after 5 s`),
      );
      assert.match(
        err,
        new RegExp(
          `warning: ${dead.replace(/[?+.]/g, '\\$&')}: \\d+ event\\(s\\) still queued after 5 s \\(connection refused`,
        ),
      );
      const status = JSON.parse(
        execFileSync(
          process.execPath,
          [
            '--import',
            'tsx',
            'src-main/cli/glasspane.ts',
            'forward',
            'status',
            '--data-dir',
            dir,
            '--format',
            'json',
          ],
          {
            cwd: repoRoot,
            encoding: 'utf8',
          },
        ),
      ) as { destinations: { uri: string; queued: number; sent: number }[] };
      for (const uri of [stuck, dead]) {
        const q = status.destinations.find((x) => x.uri === uri)!;
        assert.ok(q.queued >= fwd.devices, `${uri}: ${q.queued} queued`);
        assert.equal(q.sent, 0);
      }
    } finally {
      hole.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('serve refuses a bad --forward, or --not-seen without one, as a one-line usage error', async () => {
  for (const [args, msg] of [
    [
      ['--forward', 'syslog+tcp://127.0.0.1:514?format=xml'],
      "--forward 'syslog+tcp://127.0.0.1:514?format=xml': format 'xml' is not one of cef, leef, json",
    ],
    [['--not-seen', '30m'], '--not-seen adds events to what --forward sends: add --forward URI'],
  ] as const) {
    const r = await startServe([...args]).then(
      () => assert.fail('serve started'),
      (e: Error) => e.message,
    );
    assert.match(
      r,
      new RegExp(
        `exited with 2 before printing a URL; stderr:\\nglasspane: ${msg.replace(/[?+.()'|]/g, '\\$&')}\\n$`,
      ),
    );
  }
});
