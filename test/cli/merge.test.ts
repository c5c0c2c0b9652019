/**
 * `glasspane analyze --partial-out` and `glasspane merge`: two real captures analysed as two sites
 * merge into one inventory whose devices are each capture's own, with their site; a replayed file
 * changes nothing; the same capture at two sites stays two sets of devices. A missing, hostile or
 * wrongly named input is a one-line usage error (exit code 2).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { InventoryJson } from '../../shared/model/inventory';
import { PCAPS, corpusAvailable } from '../helpers/corpus';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'src-main', 'cli', 'glasspane.ts');
const tmp = mkdtempSync(join(tmpdir(), 'gp-merge-'));
const skip = !corpusAvailable() && 'the shared capture corpus is not here';
after(() => rmSync(tmp, { recursive: true, force: true }));

const IOT = join(PCAPS, 'coap-mqtt__ndpi__coap_mqtt.pcap');
const OT = join(PCAPS, 'modbus__iti-ics__modbus_test.pcap');

function run(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

function ok(...args: string[]): string {
  const r = run(...args);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function usageError(args: string[], message: RegExp): void {
  const r = run(...args);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, message);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

/** A device as a local analysis prints it (a merge adds where it is and who saw it). */
const local = (d: InventoryJson['devices'][number]) => {
  const { site: _s, sensors: _n, ...rest } = d;
  return rest;
};

test(
  'two captures as two sites merge into one inventory of both, each device with its site',
  { skip },
  () => {
    const iot = JSON.parse(
      ok(
        'analyze',
        IOT,
        '-f',
        'json',
        '--partial-out',
        join(tmp, 'iot.json'),
        '--site',
        'north',
        '--sensor',
        'n1',
      ),
    ) as InventoryJson;
    const ot = JSON.parse(
      ok('analyze', OT, '-f', 'json', '--partial-out', join(tmp, 'ot.json'), '--site', 'south'),
    ) as InventoryJson;
    const merged = JSON.parse(
      ok('merge', join(tmp, 'iot.json'), join(tmp, 'ot.json'), '-f', 'json'),
    ) as InventoryJson;
    assert.equal(merged.devices.length, iot.devices.length + ot.devices.length);
    assert.equal(merged.stats.packets, iot.stats.packets + ot.stats.packets);
    for (const [site, inv] of [
      ['north', iot],
      ['south', ot],
    ] as const) {
      const here = merged.devices.filter((d) => d.site === site);
      assert.deepEqual(here.map(local), inv.devices);
    }
    assert.ok(merged.devices.filter((d) => d.site === 'north').every((d) => d.sensors!.join() === 'n1'));
    // A replayed file, in another order, changes nothing.
    const again = JSON.parse(
      ok('merge', join(tmp, 'ot.json'), join(tmp, 'iot.json'), join(tmp, 'ot.json'), '-f', 'json'),
    ) as InventoryJson;
    assert.deepEqual(again.devices, merged.devices);
    assert.deepEqual(again.edges, merged.edges);

    const csv = parse(ok('merge', join(tmp, 'iot.json'), join(tmp, 'ot.json'), '-f', 'csv'), {
      columns: true,
    }) as Record<string, string>[];
    assert.deepEqual(
      csv.map((r) => [r.id, r.site]),
      merged.devices.map((d) => [d.id, d.site]),
    );
    const table = ok('merge', join(tmp, 'iot.json'), join(tmp, 'ot.json'));
    assert.match(table.split('\n')[0]!, /^DEVICE\s+SITE\s+IPS/);
    assert.match(table, new RegExp(`${merged.devices.length} devices`));
  },
);

test('the same capture at two sites stays two devices per address, ids saying where', { skip }, () => {
  ok('analyze', OT, '--partial-out', join(tmp, 'a.json'), '--site', 'a', '-f', 'json');
  ok('analyze', OT, '--partial-out', join(tmp, 'b.json'), '--site', 'b', '-f', 'json');
  const one = JSON.parse(ok('analyze', OT, '-f', 'json')) as InventoryJson;
  const merged = JSON.parse(
    ok('merge', join(tmp, 'a.json'), join(tmp, 'b.json'), '-f', 'json'),
  ) as InventoryJson;
  assert.equal(merged.devices.length, 2 * one.devices.length);
  const plc = one.devices.find((d) => d.ips.includes('192.168.0.20'))!;
  assert.deepEqual(
    merged.devices.filter((d) => d.ips.includes('192.168.0.20')).map((d) => [d.id, d.site]),
    [
      [`${plc.id}@a/a`, 'a'],
      [`${plc.id}@b/b`, 'b'],
    ],
  );
});

test('bad input to merge and --partial-out is a one-line usage error', { skip }, () => {
  usageError(['merge', join(tmp, 'nothere.json')], /^glasspane: cannot read .*nothere\.json: no such file$/m);
  writeFileSync(
    join(tmp, 'bad.json'),
    '{"version":"glasspane.partial/1","sources":[],"devices":[{"key":"x"}]}',
  );
  usageError(
    ['merge', join(tmp, 'bad.json')],
    /bad\.json: not a partial inventory at devices\.0\.kind: .*glasspane analyze --partial-out/,
  );
  writeFileSync(join(tmp, 'text.json'), 'hello');
  usageError(['merge', join(tmp, 'text.json')], /text\.json: not JSON/);
  usageError(
    ['analyze', IOT, '--site', 'north'],
    /--site names the source of a partial inventory: add --partial-out FILE/,
  );
  usageError(
    ['analyze', IOT, '--partial-out', join(tmp, 'p.json'), '--sensor', '../x'],
    /--sensor '\.\.\/x' is not a name/,
  );
  usageError(
    ['analyze', IOT, '--partial-out', join(tmp, 'no', 'such', 'p.json')],
    /--partial-out .*: the folder .* does not exist/,
  );
  usageError(['analyze', IOT, '--partial-out', '-'], /standard output carries the inventory/);
  // The first file was good: nothing is written when a later one is refused.
  const r = run('merge', join(tmp, 'iot.json'), join(tmp, 'bad.json'));
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.ok(readFileSync(join(tmp, 'iot.json'), 'utf8').startsWith('{"version":"glasspane.partial/1"'));
});
