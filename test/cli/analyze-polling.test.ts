/**
 * `glasspane analyze` on a SCADA server that connects, reads and closes every second (a new TCP
 * connection, from a new source port, for each poll) to three Modbus devices and one EtherNet/IP
 * device: the period is measured per master and device across connections, so each device's record
 * says `polled every 1000 ms` and the master's `polls every 1000 ms`; the same on 1 and 2 threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tcpFrame, type Bytes } from '../helpers/packets';
import { mbapAdu, registerSession, sendRRData } from '../helpers/ot-frames';
import { writePcap, type Rec } from '../helpers/pcap-writer';
import type { InventoryJson } from '../../shared/model/inventory';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'src-main', 'cli', 'glasspane.ts');

type End = { mac: string; ip: string; port: number };
const SCADA = { mac: '02:00:00:00:0c:01', ip: '10.2.0.1', port: 0 };
const MODBUS = [0, 1, 2].map((d) => ({ mac: `02:00:00:00:0c:1${d}`, ip: `10.2.0.1${d}`, port: 502 }));
const ENIP = { mac: '02:00:00:00:0c:20', ip: '10.2.0.20', port: 44818 };

/** Ten seconds of polls, each on its own connection: handshake, the exchanges, FIN both ways. */
function capture(path: string): string {
  const recs: Rec[] = [];
  const t0 = 1_700_000_000_000;
  const read = Uint8Array.from([0x03, 0x00, 0x00, 0x00, 0x02]);
  const regs = Uint8Array.from([0x03, 0x04, 0, 1, 0, 2]);
  // Get_Attribute_Single of an assembly's data (class 4, instance 100, attribute 3), and its reply.
  const cipRead = Uint8Array.from([0x0e, 0x03, 0x20, 0x04, 0x24, 0x64, 0x30, 0x03]);
  const cipData = Uint8Array.from([0x8e, 0x00, 0x00, 0x00, 1, 2, 3, 4]);
  for (let c = 0; c < 10; c++) {
    const devices: [End, [Bytes, Bytes][]][] = [
      ...MODBUS.map((d): [End, [Bytes, Bytes][]] => [d, [[mbapAdu(1, read, c), mbapAdu(1, regs, c)]]]),
      [
        ENIP,
        [
          [registerSession(), registerSession(0x2000 + c)],
          [sendRRData(0x2000 + c, cipRead, c), sendRRData(0x2000 + c, cipData, c)],
        ],
      ],
    ];
    devices.forEach(([dev, exchanges], k) => {
      const cl = { ...SCADA, port: 40000 + c * 8 + k };
      let at = t0 + c * 1000 + k * 50;
      const put = (a: End, b: End, payload: Bytes, flags: number) =>
        recs.push({ data: tcpFrame(a, b, payload, { flags }), ts: at++ });
      put(cl, dev, new Uint8Array(0), 0x02);
      put(dev, cl, new Uint8Array(0), 0x12);
      put(cl, dev, new Uint8Array(0), 0x10);
      for (const [request, reply] of exchanges) {
        put(cl, dev, request, 0x18);
        put(dev, cl, reply, 0x18);
      }
      put(cl, dev, new Uint8Array(0), 0x11);
      put(dev, cl, new Uint8Array(0), 0x11);
      put(cl, dev, new Uint8Array(0), 0x10);
    });
  }
  return writePcap(path, 1, recs);
}

function analyze(path: string, threads: string): string {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', cli, 'analyze', path, '--format', 'json', '--evidence', '--threads', threads],
    { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/"generatedAt": "[^"]*"/, '"generatedAt": ""');
}

test('a master that opens a connection per poll: its devices polled every 1000 ms, on 1 and 2 threads', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gp-pairpoll-'));
  try {
    const path = capture(join(tmp, 'connect-read-close.pcap'));
    const one = analyze(path, '1');
    assert.equal(analyze(path, '2'), one, 'the same inventory on 2 threads');
    const inv = JSON.parse(one) as InventoryJson;
    const periods = inv.devices.flatMap((d) =>
      Object.entries(d.identity ?? {}).flatMap(([source, rows]) =>
        rows
          .filter((r) => /poll/.test(r.label))
          .map((r) => `${d.ips.join()} ${source} ${r.label} ${r.value}`),
      ),
    );
    assert.deepEqual(periods.sort(), [
      '10.2.0.1 enip polls every 1000 ms',
      '10.2.0.1 modbus polls every 1000 ms',
      '10.2.0.10 modbus polled every 1000 ms',
      '10.2.0.11 modbus polled every 1000 ms',
      '10.2.0.12 modbus polled every 1000 ms',
      '10.2.0.20 enip polled every 1000 ms',
    ]);
    // Stated once per pair, not once per connection.
    const master = inv.devices.find((d) => d.ips.includes(SCADA.ip))!;
    const stated = master.evidence?.filter((e) => e.field === 'poll') ?? [];
    assert.deepEqual(
      stated.map((e) => `${e.protocol} ${e.value} ${e.count}`),
      ['modbus polls-every=1000 ms 3', 'enip polls-every=1000 ms 1'],
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
