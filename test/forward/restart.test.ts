import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ForwardEvent } from '../../shared/forward/events';
import { deliveryFixture, deliverySkip, scratch, type TestCa } from './delivery-setup';
import { HttpsReceiver, type Received } from './https-receiver';

const skip = deliverySkip;
const child = resolve(import.meta.dirname, 'deliver-child.ts');
let events: ForwardEvent[];
let pki: TestCa;

before(async () => ({ pki, events } = await deliveryFixture()));

function batchIds(r: Received): string[] {
  return (JSON.parse(r.body) as { events: ForwardEvent[] }).events.map((e) => e.id);
}

test(
  'kill -9 mid-delivery, start again: the rest arrives, in order; only the in-flight batch comes twice',
  { skip },
  async () => {
    const s = scratch();
    const file = join(s.dir, 'events.json');
    writeFileSync(file, JSON.stringify(events));
    let killAt: (() => void) | null = null;
    // The third batch is never answered: the sender is killed while it waits.
    const rx = await new HttpsReceiver(pki, (_r, all) => {
      if (all.length === 3) {
        killAt?.();
        return { status: 200, delayMs: 3000 };
      }
      return { status: 200 };
    }).start();
    const uri = `https://127.0.0.1:${rx.port}/in?secret-file=${s.secretFile}&ca=${pki.ca}`;
    const run = (...extra: string[]) =>
      spawn(process.execPath, ['--import', 'tsx', child, s.dir, uri, ...extra], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    try {
      const first = run(file);
      const killed = new Promise<NodeJS.Signals | null>((done) => first.on('exit', (_c, sig) => done(sig)));
      killAt = () => first.kill('SIGKILL');
      assert.equal(await killed, 'SIGKILL');
      assert.equal(rx.requests.length, 3);
      const inFlight = batchIds(rx.requests[2]!);
      killAt = null;
      rx.handler = () => ({ status: 200 });
      const second = run();
      let out = '';
      second.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((done) => second.on('exit', (c) => done(c)));
      assert.equal(code, 0, out);
      const stats = JSON.parse(out.trim().split('\n').pop()!) as { queued: number; sent: number };
      assert.equal(stats.queued, 0);
      const got = rx.requests.flatMap(batchIds);
      const once = got.filter((id, i) => got.indexOf(id) === i);
      assert.deepEqual(
        once,
        events.map((e) => e.id),
        'everything, in order',
      );
      const twice = got.filter((id, i) => got.indexOf(id) !== i);
      assert.deepEqual(twice, inFlight, 'the in-flight batch, and only it, came again');
      assert.deepEqual(batchIds(rx.requests[3]!), inFlight, 'resent first');
    } finally {
      await rx.stop();
      rmSync(s.dir, { recursive: true, force: true });
    }
  },
);
