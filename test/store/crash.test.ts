import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { writeSyntheticPcap } from '../../src-main/store/synthetic';
import { Session, T0, chat, host, tempDb } from './session';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

interface Commit {
  seq: number;
  devices: number;
  at: number;
}

test('SIGKILL during an analysis loses at most the last second, and the database stays consistent', async () => {
  const db = tempDb('crash');
  const pcap = join(dirname(db), 'synthetic.pcap');
  // 150k frames, 20k devices: about three seconds of slow feeding, so the kill lands mid-way.
  writeSyntheticPcap(pcap, { devices: 20000, edges: 150000 });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'fixtures/crash-child.ts'), db, pcap, '100'],
    {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const commits: Commit[] = [];
  let stderr = '';
  let done = false;
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let killedAt = 0;
  const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, sig) => res(sig)));
  let rest = '';
  child.stdout.on('data', (c: Buffer) => {
    rest += c.toString();
    const lines = rest.split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      if (l === 'done') done = true;
      const m = /^commit (\d+) (\d+) (\d+)$/.exec(l);
      if (m !== null) commits.push({ seq: Number(m[1]), devices: Number(m[2]), at: Number(m[3]) });
      // Kill once it has been committing for a while: mid-way through the capture.
      if (killedAt === 0 && commits.length >= 8 && commits.at(-1)!.at - commits[0]!.at > 800) {
        killedAt = Date.now();
        child.kill('SIGKILL');
      }
    }
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const sig = await exited;
  clearTimeout(timeout);
  assert.equal(done, false, 'the analysis was still running');
  assert.equal(sig, 'SIGKILL', stderr);
  assert.ok(killedAt > 0, `killed mid-way (commits seen: ${commits.length}) ${stderr}`);

  const last = commits.at(-1)!;
  const raw = new Database(db);
  assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
  const top = raw
    .prepare('SELECT seq, committed_at, devices_total FROM batches ORDER BY seq DESC LIMIT 1')
    .get() as {
    seq: number;
    committed_at: string;
    devices_total: number;
  };
  // Everything the child reported committed is there; at most the one commit it had no time to report.
  assert.ok(top.seq >= last.seq, `db seq ${top.seq} < reported ${last.seq}`);
  assert.ok(top.seq <= last.seq + 1, `db seq ${top.seq} > reported ${last.seq} + 1`);
  assert.equal(raw.prepare('SELECT count(*) FROM batches').pluck().get(), top.seq, 'no batch is missing');
  // The newest commit is less than a second older than the kill.
  const lag = killedAt - Date.parse(top.committed_at);
  assert.ok(lag < 1000, `last commit ${lag} ms before the kill`);
  // Consistent: the device count the last transaction recorded is what the tables hold.
  assert.equal(raw.prepare('SELECT count(*) FROM devices').pluck().get(), top.devices_total);
  if (top.seq === last.seq) assert.equal(top.devices_total, last.devices);
  assert.ok(
    top.devices_total > 0 && top.devices_total < 20000,
    `part of the capture: ${top.devices_total} devices`,
  );
  assert.ok(Number(raw.prepare('SELECT count(*) FROM edges').pluck().get()) > 0);
  assert.ok(Number(raw.prepare('SELECT max(seq) FROM timeline').pluck().get()) <= top.seq);
  raw.close();

  // The next run opens it and carries on.
  const s = new Session(db);
  assert.equal(s.store.seq, top.seq);
  assert.equal(s.store.devices().length, top.devices_total);
  s.feed([chat(host(1), host(2), T0)]);
  assert.equal(s.tick()!.seq, top.seq + 1);
  s.close();
});
