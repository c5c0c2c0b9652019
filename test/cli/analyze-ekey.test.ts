/**
 * `glasspane analyze` on adapters that never answer Identity but are the targets of a scanner's
 * cyclic I/O connections: each is typed from what the Forward_Open says of it (the electronic key's
 * device type and vendor, or assembly connection points), below the target's own Identity, and the
 * key shows in its identity section as the scanner's. Truncated and garbage paths state nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  BRIDGE,
  DISCRETE_IO,
  DRIVE,
  GARBAGE,
  PRODUCER,
  SCANNER,
  SELF_STATED,
  WILDCARD,
  ekeyPlant,
} from '../helpers/enip-connections';
import { writePcap } from '../helpers/pcap-writer';
import type { DeviceJson, InventoryJson } from '../../shared/model/inventory';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'src-main', 'cli', 'glasspane.ts');

function analyze(path: string): InventoryJson {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', cli, 'analyze', path, '--format', 'json', '--evidence'],
    { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as InventoryJson;
}

/** The identity section's enip rows as `label=value`, sorted. */
const enipIdentity = (d: DeviceJson): string[] =>
  (d.identity?.enip ?? []).map((f) => `${f.label}=${f.value}`).sort();

test("analyze: adapters typed from a scanner's Forward_Open, below their own Identity", () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gp-ekey-'));
  try {
    const inv = analyze(writePcap(join(tmp, 'ekey.pcap'), 1, ekeyPlant()));
    assert.equal(inv.stats.dissectorErrors, 0);
    const by = (ip: string): DeviceJson => {
      const d = inv.devices.find((x) => x.ips.includes(ip));
      assert.ok(d, ip);
      return d;
    };
    const type = (ip: string) => by(ip).attributes?.type;

    // The scanner is a PLC by its own Identity.
    assert.equal(type(SCANNER.ip)?.value, 'plc');

    // (a) Key device type 2 (AC drive), through a backplane port segment: a drive at Purdue level 0.
    const drive = by(DRIVE.ip);
    assert.equal(drive.attributes?.type.value, 'drive');
    assert.ok(drive.attributes?.type.evidence.some((e) => e.rule === 'cip.key-type-drive'));
    assert.equal(drive.purdue?.level, 0);
    assert.deepEqual(enipIdentity(drive), [
      'connection=class 1 to assembly',
      "scanner's key device type id=2",
      "scanner's key device type=AC Drive",
      "scanner's key product code=515",
      "scanner's key revision=3.1 or compatible",
    ]);

    // (b) Key device type 7 (discrete I/O) and vendor id 1: an io-module made by Rockwell.
    const io = by(DISCRETE_IO.ip);
    assert.equal(io.attributes?.type.value, 'io-module');
    assert.ok(io.attributes?.type.evidence.some((e) => e.rule === 'cip.key-type-io'));
    assert.equal(io.attributes?.vendor.value, 'Rockwell Automation/Allen-Bradley');
    assert.ok(io.attributes?.vendor.evidence.some((e) => e.rule === 'cip.key-vendor'));
    assert.equal(io.purdue?.level, 1);
    assert.deepEqual(enipIdentity(io), [
      'connection=class 1 to assembly',
      "scanner's key device type id=7",
      "scanner's key device type=General Purpose Discrete I/O",
      "scanner's key product code=42",
      "scanner's key vendor id=1",
      "scanner's key vendor=Rockwell Automation/Allen-Bradley",
    ]);

    // (c) A wildcard key and assembly connection points: an io-module by traffic alone, at low confidence.
    const wild = by(WILDCARD.ip);
    assert.equal(wild.attributes?.type.value, 'io-module');
    assert.ok(wild.attributes?.type.evidence.some((e) => e.rule === 'cip.io-assembly-target'));
    assert.ok((wild.attributes?.type.confidence ?? 1) < 0.8);
    assert.deepEqual(enipIdentity(wild), ['connection=class 1 to assembly']);

    // (d) A produced tag's controller is never typed io-module.
    const producer = by(PRODUCER.ip);
    assert.equal(producer.attributes?.type.value, 'plc');
    assert.ok(!producer.attributes?.type.alternatives.some((a) => a.value === 'io-module'));
    assert.deepEqual(enipIdentity(producer), ['connection=class 1 to tag']);

    // (e) The target's own Identity (device type 14) wins over the scanner's key (drive).
    const self = by(SELF_STATED.ip);
    assert.equal(self.attributes?.type.value, 'plc');
    assert.ok(self.attributes?.type.alternatives.some((a) => a.value === 'drive'));
    assert.equal(self.purdue?.level, 1);
    assert.ok(enipIdentity(self).includes("scanner's key device type id=2"));
    assert.ok(enipIdentity(self).includes('device type id=14'));

    // A path routed on to another network keys another device: nothing about the receiver.
    assert.deepEqual(enipIdentity(by(BRIDGE.ip)), []);
    assert.notEqual(type(BRIDGE.ip)?.value, 'drive');
    // Truncated and garbage paths: no throw, nothing stated.
    assert.deepEqual(enipIdentity(by(GARBAGE.ip)), []);
    assert.ok(!(by(GARBAGE.ip).evidence ?? []).some((e) => e.field.startsWith('Forward_Open.')));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
