// A site's stream deleted and created again (its sequences start over at 1) under a `serve --nats`
// console with a --db checkpoint, on a real nats-server: the console says so in one line, drops what
// the old stream said and reads the new one from its start, both while it follows the stream and
// when it was away (restarted on its store, the new stream already longer than its old position).
// The other site is untouched.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { parseCallResult } from '../../shared/ipc/contract';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { TestNats } from '../helpers/nats-server';
import {
  BACNET_CAPTURE as A,
  DHCP_CAPTURE as B,
  ENIP_CAPTURE as C,
  natsCorpusSkip,
  passwordAuth,
  sensorArgs,
  siteMessages,
} from '../helpers/nats-sensor';
import { runCli } from '../helpers/sensor-run';
import { startServe, type ServeProcess } from './helpers/serve-process';
import { WsClient } from './helpers/ws-client';

const skip = natsCorpusSkip(A, B, C);

async function ids(...files: string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const f of files) {
    const a = createAnalyzer();
    await analyzeFile(a, f);
    for (const d of a.snapshot().devices) out.add(d.id);
  }
  return [...out].sort();
}

/** The console's devices as `site id`, sorted. */
async function shown(c: WsClient): Promise<string[]> {
  const r = parseCallResult('getSnapshot', await c.call('getSnapshot', {}));
  if (!r.ok) assert.fail(`getSnapshot: ${r.error.message}`);
  // A device's id as its sensor gave it (ids are qualified once two sites share a MAC).
  return r.value.devices.map((d) => `${d.site} ${d.id.split('@')[0]}`).sort();
}

const at = (site: string, list: string[]) => list.map((id) => `${site} ${id}`);

async function until(c: WsClient, want: string[], ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  const w = [...want].sort();
  for (;;) {
    const s = await shown(c);
    if (JSON.stringify(s) === JSON.stringify(w)) return;
    if (Date.now() > end) assert.deepEqual(s, w, 'the console never showed these devices');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a stream deleted and created again under a serve --nats console', { skip: skip ?? false }, () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let data: string;
  const consoles: ServeProcess[] = [];

  before(async () => {
    nats = await new TestNats([{ user: 'u', password: 'u-secret' }]).start();
    nc = await connect({ servers: nats.url, user: 'u', pass: 'u-secret' });
    data = mkdtempSync(join(tmpdir(), 'gp-serve-recreate-'));
  });

  after(async () => {
    for (const c of consoles) await c.stop('SIGKILL');
    await nc?.close();
    await nats?.cleanup();
    if (data !== undefined) rmSync(data, { recursive: true, force: true });
  });

  let n = 0;
  const sensor = async (site: string, name: string, file: string) => {
    const dir = join(data, `sensor-${++n}`);
    const r = await runCli(sensorArgs(site, name, passwordAuth(nats, 'u'), dir, '--read', file));
    assert.equal(r.code, 0, r.stderr);
  };
  const recreate = async (site: string) => {
    const jsm = await jetstreamManager(nc);
    assert.ok(await jsm.streams.delete(`GLASSPANE_${site}`));
  };
  const serve = async () => {
    const s = await startServe([
      ...passwordAuth(nats, 'u'),
      ...['--site', 'a', '--site', 'b', '--discover-ms', '300', '--db', join(data, 'console.db')],
    ]);
    consoles.push(s);
    return { s, c: await WsClient.connect(s.origin, s.token) };
  };
  const LINE =
    /glasspane: stream GLASSPANE_a was deleted and created again \(created \S+, now \S+\): dropping what site a's old stream said and reading the new one from its start\n/g;

  test('followed, and while the console was away: the new stream replaces the old one', async () => {
    const [idsA, idsB, idsC] = await Promise.all([ids(A), ids(B), ids(C)]);
    assert.ok(idsA.length > 10 && idsB.length > 2 && idsC.length > 1);
    assert.equal(new Set([...idsA, ...idsB, ...idsC]).size, idsA.length + idsB.length + idsC.length);
    await sensor('a', 's1', A);
    await sensor('b', 's2', B);
    const one = await serve();
    await until(one.c, [...at('a', idsA), ...at('b', idsB)]);

    // Deleted and created again while followed: the new stream (one sensor, another capture) is
    // all site a shows; none of the old stream's devices stays.
    await recreate('a');
    await sensor('a', 's1', C);
    await until(one.c, [...at('a', idsC), ...at('b', idsB)]);
    assert.equal(one.s.stderr().match(LINE)?.length, 1, one.s.stderr());
    const sensors = parseCallResult('listSensors', await one.c.call('listSensors', {}));
    assert.ok(sensors.ok);
    assert.deepEqual(
      sensors.value.sensors.map((x) => `${x.site}/${x.sensor}`),
      ['a/s1', 'b/s2'],
    );
    one.c.close();
    assert.equal(await one.s.stop(), 0);

    // Away: the stream is created again and holds more than the position the store kept, so only
    // its creation time tells it is another stream.
    const position = await siteMessages(nc, 'a');
    await recreate('a');
    await sensor('a', 's3', B);
    await sensor('a', 's4', A);
    assert.ok((await siteMessages(nc, 'a')) > position, 'the new stream is longer than the old');
    const two = await serve();
    await until(two.c, [...at('a', [...new Set([...idsA, ...idsB])]), ...at('b', idsB)]);
    assert.equal(two.s.stderr().match(LINE)?.length, 1, two.s.stderr());
    two.c.close();
    assert.equal(await two.s.stop(), 0);

    // Restarted again with nothing changed: no line, the same inventory.
    const three = await serve();
    await until(three.c, [...at('a', [...new Set([...idsA, ...idsB])]), ...at('b', idsB)]);
    await new Promise((r) => setTimeout(r, 1500));
    assert.doesNotMatch(three.s.stderr(), /deleted and created again/);
    three.c.close();
    assert.equal(await three.s.stop(), 0);
  });
});
