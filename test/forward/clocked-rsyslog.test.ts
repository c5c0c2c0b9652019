// `analyze --not-seen` and `--snapshot-every` to a real rsyslog: silences and snapshots on the
// capture's clock, per-destination thresholds, and the same ids on a replay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { InventoryJson } from '../../shared/model/inventory';
import { PCAPS } from '../helpers/corpus';
import { parseCef } from './cef-reader';
import { RSYSLOG_SKIP, runGlasspane, startRsyslog, type Rsyslog } from './rsyslog';

// Two bursts seven years apart, and devices that fall silent within the first minute.
const capture = join(PCAPS, 'enip-listidentity__icsnpp-enip__enip_cip_example.pcap');
const skip = RSYSLOG_SKIP;

let rs: Rsyslog;
before(async () => {
  if (skip === false) rs = await startRsyslog();
});
after(async () => {
  if (skip === false) await rs.stop();
});

const run = runGlasspane;

const SYSLOG = /^<(\d+)>1 (\S+) (\S+) glasspane (\d+) (\S+) (\[origin [^\]]*\]) (.*)$/s;

/** The messages rsyslog received from one run (our PROCID), as MSGID and body. */
async function received(from: number, n: number, pid?: number) {
  const lines = (await rs.waitFor(from + n)).slice(from);
  return lines
    .map((l) => SYSLOG.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && (pid === undefined || Number(m[4]) === pid))
    .map((m) => ({ time: m[2]!, pid: Number(m[4]), msgid: m[5]!, body: m[7]! }));
}

test(
  'analyze --not-seen --snapshot-every: silences and snapshots on capture time, each destination its own threshold',
  { skip },
  async () => {
    const from = rs.lines().length;
    const cef = `syslog+tcp://127.0.0.1:${rs.tcpPort}?format=cef`;
    const leef = `syslog+tcp://127.0.0.1:${rs.tcpPort}?format=leef&kinds=not-seen&not-seen=1m`;
    const r = await run(
      'analyze',
      capture,
      '--format',
      'json',
      '--not-seen',
      '20s',
      '--snapshot-every',
      '30s',
      '--forward',
      cef,
      '--forward',
      leef,
    );
    assert.equal(r.status, 0, r.stderr);
    const inv = JSON.parse(r.stdout) as InventoryJson;
    const sent = [...r.stderr.matchAll(/forwarded (\d+) event\(s\)/g)].map((m) => Number(m[1]));
    assert.equal(sent.length, 2, r.stderr);
    const got = await received(from, sent[0]! + sent[1]!);
    assert.equal(got.length, sent[0]! + sent[1]!);
    const cefs = got.filter((g) => g.body.startsWith('CEF:0|')).map((g) => ({ ...g, cef: parseCef(g.body) }));
    const leefs = got.filter((g) => g.body.startsWith('LEEF:2.0|'));
    assert.equal(cefs.length + leefs.length, got.length);

    // Silences: every device silent for 20 s at the capture's end is reported, each silence once,
    // at its last sighting + 20 s, with the device's identity.
    const end = Date.parse(inv.stats.lastSeen!);
    const silent = inv.devices.filter((d) => end - Date.parse(d.lastSeen) >= 20_000);
    assert.ok(silent.length > 0 && silent.length < inv.devices.length);
    const notSeen = cefs.filter((g) => g.cef.ext.get('act') === 'not-seen');
    for (const g of notSeen) {
      assert.equal(g.msgid, 'device-not-seen');
      assert.equal(g.cef.header[4], '103');
      assert.equal(g.cef.ext.get('cn2'), '20');
      assert.equal(Number(g.cef.ext.get('rt')), Number(g.cef.ext.get('end')) + 20_000);
    }
    const silences = notSeen.map((g) => `${g.cef.ext.get('cs6')} ${g.cef.ext.get('end')}`);
    assert.equal(new Set(silences).size, silences.length, 'one event per silence');
    for (const d of silent)
      assert.ok(
        silences.includes(`${d.id} ${Date.parse(d.lastSeen)}`),
        `${d.id}, silent since ${d.lastSeen}, is reported`,
      );
    // A device still talking at the end was only reported for a silence it ended since.
    for (const g of notSeen) {
      const d = inv.devices.find((x) => x.id === g.cef.ext.get('cs6'))!;
      assert.ok(Number(g.cef.ext.get('end')) <= Date.parse(d.lastSeen));
    }

    // Snapshots: complete groups, one id each, on 30 s boundaries of capture time.
    const snaps = cefs.filter((g) => g.cef.ext.get('act') === 'snapshot');
    assert.ok(snaps.length > 0, 'at least one snapshot');
    const groups = new Map<string, typeof snaps>();
    for (const g of snaps)
      groups.set(g.cef.ext.get('flexString1')!, [...(groups.get(g.cef.ext.get('flexString1')!) ?? []), g]);
    for (const [, members] of groups) {
      const count = Number(members[0]!.cef.ext.get('flexNumber2'));
      assert.equal(members.length, count);
      assert.deepEqual(
        members.map((m) => Number(m.cef.ext.get('flexNumber1'))).sort((a, b) => a - b),
        [...Array(count).keys()],
      );
      assert.equal(new Set(members.map((m) => m.cef.ext.get('rt'))).size, 1);
      assert.ok(members.every((m) => m.msgid === 'device-inventory' && m.cef.header[4] === '102'));
    }
    assert.equal(cefs.filter((g) => g.cef.ext.get('act') === 'discovered').length, inv.devices.length);

    // The LEEF destination asked for 60 s silences only: none of the 20 s ones.
    assert.ok(leefs.length > 0);
    for (const l of leefs) {
      assert.match(l.body, /\|103\|\^\|/);
      assert.match(l.body, /\^notSeenSeconds=60(\^|$)/);
    }
    assert.ok(leefs.length <= notSeen.length);

    // A replay of the capture sends the very same ids: a SIEM de-duplicates it.
    const again = rs.lines().length;
    const r2 = await run(
      'analyze',
      capture,
      '--not-seen',
      '20s',
      '--snapshot-every',
      '30s',
      '--forward',
      cef,
    );
    assert.equal(r2.status, 0, r2.stderr);
    const got2 = await received(again, sent[0]!);
    assert.deepEqual(
      got2.map((g) => parseCef(g.body).ext.get('externalId')),
      cefs.map((g) => g.cef.ext.get('externalId')),
    );
  },
);

test('--not-seen and --snapshot-every without --forward, or with a bad duration, are usage errors', async () => {
  for (const [args, msg] of [
    [['--not-seen', '30m'], '--not-seen adds events to what --forward sends: add --forward URI'],
    [['--snapshot-every', '1h'], '--snapshot-every adds events to what --forward sends: add --forward URI'],
    [
      ['--not-seen', 'later', '--forward', 'syslog+udp://127.0.0.1:9'],
      "--not-seen 'later' is not a duration above zero: use e.g. 90s, 30m or 1h",
    ],
    [
      ['--snapshot-every', '0', '--forward', 'syslog+udp://127.0.0.1:9'],
      "--snapshot-every '0' is not a duration above zero: use e.g. 90s, 30m or 1h",
    ],
  ] as const) {
    const r = await run('analyze', join(PCAPS, 'no-such-capture.pcap'), ...args);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `glasspane: ${msg}\n`);
  }
});
