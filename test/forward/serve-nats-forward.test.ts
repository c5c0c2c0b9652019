// `glasspane serve --nats --forward`: the sensors' console forwards its merged inventory to a real
// rsyslog while it follows a real nats-server: one `discovered` per merged device with its site
// (also when a second site's same MACs make the ids qualified), every sensor alert once with the id
// its sensor gave it, silences on the streams' clock, and a restart from its --db checkpoint sends
// nothing it sent before.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ForwardEvent } from '../../shared/forward/events';
import { parseCallResult, type Snapshot } from '../../shared/ipc/contract';
import type { DeviceJson } from '../../shared/model/inventory';
import { TestNats } from '../helpers/nats-server';
import {
  BACNET_CAPTURE as A,
  DHCP_CAPTURE as B,
  ENIP_CAPTURE as C,
  natsCorpusSkip,
  passwordAuth,
  sensorArgs,
} from '../helpers/nats-sensor';
import { runCli } from '../helpers/sensor-run';
import { analyzeFile, createAnalyzer } from '../../src-main/engine/pipeline';
import { startServe, type ServeProcess } from '../serve/helpers/serve-process';
import { WsClient } from '../serve/helpers/ws-client';
import { RSYSLOG_SKIP, startRsyslog, type Rsyslog } from './rsyslog';

const skip = natsCorpusSkip(A, B, C) ?? RSYSLOG_SKIP;

const SYSLOG = /^<(\d+)>1 (\S+) (\S+) glasspane (\d+) (\S+) (\[origin [^\]]*\]) (.*)$/s;
/** A merged device as its sensors knew it: its site and its id there (a merged id may be qualified). */
const where = (d: { site?: string | null; id: string }) => `${d.site ?? ''} ${d.id.split('@')[0]}`;

async function snapshot(c: WsClient): Promise<Snapshot> {
  const r = parseCallResult('getSnapshot', await c.call('getSnapshot', {}));
  if (!r.ok) assert.fail(`getSnapshot: ${r.error.message}`);
  return r.value;
}

async function until<T>(
  what: string | (() => string),
  f: () => Promise<T | null> | T | null,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() > end) assert.fail(`never: ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('glasspane serve --nats --forward', { skip: skip === false ? false : skip }, () => {
  let nats: TestNats;
  let rs: Rsyslog;
  let data: string;
  const consoles: ServeProcess[] = [];

  before(async () => {
    nats = await new TestNats([{ user: 'u', password: 'u-secret' }]).start();
    rs = await startRsyslog();
    data = mkdtempSync(join(tmpdir(), 'gp-serve-nats-fwd-'));
  });

  after(async () => {
    for (const c of consoles) await c.stop('SIGKILL');
    await rs?.stop();
    await nats?.cleanup();
    if (data !== undefined) rmSync(data, { recursive: true, force: true });
  });

  const auth = () => passwordAuth(nats, 'u');
  const sensor = async (site: string, name: string, file: string, ...rest: string[]) => {
    const r = await runCli(sensorArgs(site, name, auth(), join(data, `s-${name}`), '--read', file, ...rest));
    assert.equal(r.code, 0, r.stderr);
  };
  const events = () => rs.lines().map((l) => JSON.parse(SYSLOG.exec(l)![7]!) as ForwardEvent);
  const summary = () =>
    JSON.stringify(events().map((e) => [e.kind, e.device?.id, e.device?.site, e.alert?.id]));
  const kind = (k: ForwardEvent['kind']) => events().filter((e) => e.kind === k);
  /** Devices one analysis of each capture finds (A, B, C): a site's sensor of it alone gives as many. */
  let [nA, nB, nC] = [0, 0, 0];
  /** Sites a and b after site b's two sensors: the EtherNet/IP capture at each, and the DHCP one. */
  const ab = () => nC + nB + nC;
  /** Devices one analysis of `file` finds: a site's sensor of that capture alone gives the same. */
  const devicesIn = async (file: string) => {
    const a = createAnalyzer();
    await analyzeFile(a, file);
    return a.snapshot().devices.length;
  };

  test('every merged device once with its site, every alert once, and a restart sends nothing twice', async () => {
    const args = [
      ...auth(),
      ...['--site', 'a', '--site', 'b', '--site', 'c', '--discover-ms', '300'],
      ...['--db', join(data, 'console.db'), '--data-dir', join(data, 'console')],
      ...['--forward', `syslog+tcp://127.0.0.1:${rs.tcpPort}?format=json`, '--not-seen', '1h'],
    ];
    const serve = async () => {
      const s = await startServe(args);
      consoles.push(s);
      return { s, c: await WsClient.connect(s.origin, s.token) };
    };
    const shown = (c: WsClient, n: number) =>
      until(`the console shows ${n} devices`, async () => {
        const s = await snapshot(c);
        return s.devices.length === n ? s.devices : null;
      });
    const sensorAlerts = async (c: WsClient) => {
      const r = parseCallResult('listAlerts', await c.call('listAlerts', {}));
      assert.ok(r.ok, JSON.stringify(r));
      return r.value.alerts.filter((a) => a.detail.sensor !== undefined && !a.kind.startsWith('sensor.'));
    };

    [nA, nB, nC] = [await devicesIn(A), await devicesIn(B), await devicesIn(C)];
    const one = await serve();
    // Site a first (the EtherNet/IP devices, each a new-device alert with --learn 0), forwarded as it is.
    assert.equal(nC, 2);
    await sensor('a', 's1', C, '--learn', '0');
    const atA = await shown(one.c, nC);
    await until('site a discovered', () => (kind('discovered').length >= 2 ? true : null));
    assert.deepEqual(
      kind('discovered').map((e) => e.device!.id),
      atA.map((d) => d.id),
    );
    // Site b: the DHCP capture with alerts, and the same EtherNet/IP capture (the same MACs as at a:
    // every id becomes qualified, `mac:…@a`), learning as usual so it raises none.
    await sensor('b', 's2', B, '--learn', '0');
    await sensor('b', 's3', C);
    const merged = await shown(one.c, ab());
    assert.ok(
      merged.every((d) => d.id.includes('@')),
      'ids qualified once two sites share MACs',
    );
    const alerts = await sensorAlerts(one.c);
    assert.deepEqual([...new Set(alerts.map((a) => a.detail.sensor))].sort(), ['s1', 's2']);
    // Silent an hour before the streams' latest sighting (the DHCP capture, 2016): the 2015 ones at least.
    const latest = Math.max(...merged.map((d: DeviceJson) => Date.parse(d.lastSeen)));
    const silent = merged.filter((d) => latest - Date.parse(d.lastSeen) >= 3_600_000);
    assert.ok(silent.length >= 4 && silent.length < merged.length, `${silent.length} silent`);
    const firstRun = merged.length + alerts.length + silent.length;
    await until(
      () => `${firstRun} events: ${summary()}`,
      () => (events().length >= firstRun ? true : null),
    );

    const check = (devices: DeviceJson[], raised: typeof alerts) => {
      const all = events();
      assert.equal(new Set(all.map((e) => e.id)).size, all.length, 'no event twice');
      const discovered = all.filter((e) => e.kind === 'discovered');
      assert.deepEqual(
        discovered.map((e) => where(e.device!)).sort(),
        devices.map(where).sort(),
        'one discovered event per merged device, with its site',
      );
      for (const e of discovered) assert.ok(e.device!.site !== undefined && e.device!.sensors!.length > 0);
      const forwarded = all.filter((e) => e.kind === 'alert');
      assert.deepEqual(
        forwarded.map((e) => `${e.device!.site}/${e.device!.sensors!.join()}|${e.alert!.id}`).sort(),
        raised.map((a) => a.id).sort(),
        "one event per sensor alert, with the sensor's own id and its merged device",
      );
      // The ids the sensors gave them: the console's own id adds only where they came from.
      for (const e of forwarded) assert.doesNotMatch(e.alert!.id, /^[abc]\/s\d\|/);
      return all;
    };
    const firstEvents = check(merged, alerts);
    assert.deepEqual(
      firstEvents
        .filter((e) => e.kind === 'not-seen')
        .map((e) => where(e.device!))
        .sort(),
      silent.map(where).sort(),
    );
    // The devices of site a moved to their qualified ids without being discovered again: the
    // changes (if any) name the new ids.
    for (const e of firstEvents.filter((x) => x.kind === 'changed'))
      assert.ok(e.device!.id.includes('@'), JSON.stringify(e));
    one.c.close();
    assert.equal(await one.s.stop(), 0);
    assert.match(one.s.stderr(), /forwarded \d+ event\(s\) to syslog\+tcp/);

    // Restarted on its store: it shows the checkpoint and forwards none of it again; a new site's
    // sensor (the BACnet capture, 2020: every earlier device is now silent) is forwarded as new.
    const before = events().length;
    const two = await serve();
    await shown(two.c, ab());
    await sensor('c', 's4', A, '--learn', '0');
    const end = await until('site c merged', async () => {
      const s = await snapshot(two.c);
      return s.devices.length > ab() ? s.devices : null;
    });
    assert.equal(end.filter((d) => d.site === 'c').length, nA);
    const raisedNow = await sensorAlerts(two.c);
    const newAlerts = raisedNow.length - alerts.length;
    assert.ok(newAlerts > 0, 'site c raises alerts with --learn 0');
    const latestNow = Math.max(...end.map((d) => Date.parse(d.lastSeen)));
    const silentNow = end.filter((d) => latestNow - Date.parse(d.lastSeen) >= 3_600_000);
    // New: c's devices and alerts, and the silences of the devices that were not silent yet (the
    // others were already reported, for the same last sighting).
    const newSilent = silentNow.filter((d) => !silent.some((s) => s.id === d.id));
    assert.ok(newSilent.length > 0);
    const secondRun = nA + newAlerts + newSilent.length;
    await until(
      () => `${secondRun} more events: ${summary()}`,
      () => (events().length >= before + secondRun ? true : null),
    );
    // Anything sent twice would come in the same seconds: give it time.
    await new Promise((r) => setTimeout(r, 3000));
    const all = check(end, raisedNow);
    assert.equal(
      all.slice(before).filter((e) => e.kind !== 'changed').length,
      secondRun,
      'the restart sent only what is new',
    );
    assert.deepEqual(
      all
        .filter((e) => e.kind === 'not-seen')
        .map((e) => where(e.device!))
        .sort(),
      silentNow.map(where).sort(),
      'each silence once, across the restart',
    );
    two.c.close();
    assert.equal(await two.s.stop(), 0);
  });

  test("a destination added in the console's Forwarding settings gets the merged devices, then what follows", async () => {
    // Runs after the test above: sites a, b and c hold all their devices.
    const all = ab() + nA;
    assert.ok(nA > 0, 'runs after the test above');
    const s = await startServe([
      ...auth(),
      ...['--discover-ms', '300', '--data-dir', join(data, 'settings')],
    ]);
    consoles.push(s);
    const c = await WsClient.connect(s.origin, s.token);
    const merged = await until('the merged devices', async () => {
      const snap = await snapshot(c);
      return snap.devices.length === all ? snap.devices : null;
    });
    const from = rs.lines().length;
    const uri = `syslog+tcp://127.0.0.1:${rs.tcpPort}?format=json`;
    const r = parseCallResult(
      'addForwardDestination',
      await c.call('addForwardDestination', { uri, kinds: ['discovered'] }),
    );
    assert.ok(r.ok, JSON.stringify(r));
    const got = () =>
      rs
        .lines()
        .slice(from)
        .map((l) => JSON.parse(SYSLOG.exec(l)![7]!) as ForwardEvent);
    await until('the merged devices forwarded', () => (got().length >= all ? true : null));
    assert.deepEqual(
      got()
        .map((e) => where(e.device!))
        .sort(),
      merged.map(where).sort(),
    );
    // A new site's devices follow, as they merge.
    await sensor('d', 's5', B);
    await until('site d forwarded', () => (got().length >= all + nB ? true : null));
    assert.deepEqual(
      got()
        .slice(all)
        .map((e) => [e.kind, e.device!.site])
        .sort(),
      Array.from({ length: nB }, () => ['discovered', 'd']),
    );
    c.close();
    assert.equal(await s.stop(), 0);
  });
});
