import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { writePcap } from '../helpers/pcap-writer';
import { arp, ascii, ethernet, ipv4, udp, udpFrame } from '../helpers/packets';
import { nflog, nflogHwaddr } from '../decode/builders';
import { tsharkAvailable, tsharkFields } from '../helpers/tshark';
import { PCAPS, CORPUS_SKIP } from '../helpers/corpus';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'src-main', 'cli', 'glasspane.ts');
const tmp = mkdtempSync(join(tmpdir(), 'gp-cli-'));

function run(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, encoding: 'utf8' });
}

const capture = writePcap(join(tmp, 'small.pcap'), 1, [
  {
    data: ethernet(
      'ff:ff:ff:ff:ff:ff',
      '00:1b:1b:aa:bb:cc',
      0x0806,
      arp(1, '00:1b:1b:aa:bb:cc', '10.0.0.5', '00:00:00:00:00:00', '10.0.0.1'),
    ),
  },
  {
    data: udpFrame(
      { mac: '00:1b:1b:aa:bb:cc', ip: '10.0.0.5', port: 4000 },
      { mac: '00:0c:29:11:22:33', ip: '10.0.0.1', port: 161 },
      new Uint8Array(8),
    ),
  },
]);

test('analyze --format json prints the inventory schema with devices, vendors and edges', () => {
  const r = run('analyze', capture, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const inv = JSON.parse(r.stdout);
  assert.equal(inv.schema, 'glasspane.inventory/1');
  assert.equal(inv.stats.packets, 2);
  const plc = inv.devices.find((d: { mac: string }) => d.mac === '00:1b:1b:aa:bb:cc');
  assert.deepEqual(plc.ips, ['10.0.0.5']);
  assert.equal(plc.vendor, 'Siemens AG');
  for (const k of [
    'id',
    'hostname',
    'category',
    'type',
    'model',
    'os',
    'firmware',
    'protocols',
    'vlans',
    'firstSeen',
    'lastSeen',
    'packets',
    'bytes',
  ]) {
    assert.ok(k in plc, `device has ${k}`);
  }
  assert.equal(
    inv.devices.find((d: { mac: string }) => d.mac === '00:0c:29:11:22:33').vendor,
    'VMware, Inc.',
  );
  assert.equal(inv.edges.length, 1);
  assert.deepEqual(
    Object.keys(inv.edges[0])
      .filter((k) => ['a', 'b', 'protocols', 'packets', 'bytes'].includes(k))
      .sort(),
    ['a', 'b', 'bytes', 'packets', 'protocols'],
  );
});

/** A camera's SSDP NOTIFY (IT/IoT): what --layers-only and --protocols leave out or keep. */
const cameraNotify = {
  data: udpFrame(
    { mac: '00:1b:1b:aa:bb:cc', ip: '10.0.0.5', port: 1900 },
    { mac: '01:00:5e:7f:ff:fa', ip: '239.255.255.250', port: 1900 },
    ascii('NOTIFY * HTTP/1.1\r\nSERVER: Linux/4.9 UPnP/1.0 Camera/2.1\r\nNT: upnp:rootdevice\r\n\r\n'),
  ),
};

test('analyze --layers-only: the same devices and traffic, without what application dissectors add', () => {
  const notify = writePcap(join(tmp, 'ssdp.pcap'), 1, [cameraNotify]);
  const device = (args: string[]) => {
    const r = run('analyze', notify, '--format', 'json', '--evidence', ...args);
    assert.equal(r.status, 0, r.stderr);
    const inv = JSON.parse(r.stdout);
    return inv.devices.find((d: { mac: string }) => d.mac === '00:1b:1b:aa:bb:cc');
  };
  const full = device([]);
  const l4 = device(['--layers-only']);
  assert.ok(full.protocols.includes('ssdp'));
  assert.ok(full.evidence.some((e: { protocol: string }) => e.protocol === 'ssdp'));
  assert.deepEqual(l4.ips, full.ips);
  assert.equal(l4.packets, full.packets);
  assert.equal(l4.vendor, 'Siemens AG');
  assert.equal(l4.protocols.includes('ssdp'), false);
  assert.deepEqual(l4.evidence, []);
});

test('analyze --protocols runs only the dissectors named: the groups it and ot, or single ones', () => {
  const both = writePcap(join(tmp, 'ssdp-bacnet.pcap'), 1, [
    cameraNotify,
    {
      // BACnet/IP I-Am: BVLC original-broadcast, NPDU without addresses, device 123, vendor 5.
      data: udpFrame(
        { mac: '00:1b:1b:dd:ee:ff', ip: '10.0.0.7', port: 47808 },
        { mac: 'ff:ff:ff:ff:ff:ff', ip: '10.0.0.255', port: 47808 },
        new Uint8Array([
          0x81, 0x0b, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02, 0x00, 0x00, 0x7b, 0x22, 0x05, 0xc4,
          0x91, 0x03, 0x21, 0x05,
        ]),
      ),
    },
  ]);
  const protocols = (args: string[]) => {
    const r = run('analyze', both, '--format', 'json', ...args);
    assert.equal(r.status, 0, r.stderr);
    const inv = JSON.parse(r.stdout) as { devices: { mac: string; protocols: string[] }[] };
    const of = (m: string) => inv.devices.find((d) => d.mac === m)!.protocols;
    return {
      camera: of('00:1b:1b:aa:bb:cc').includes('ssdp'),
      bacnet: of('00:1b:1b:dd:ee:ff').includes('bacnet'),
    };
  };
  assert.deepEqual(protocols([]), { camera: true, bacnet: true });
  assert.deepEqual(protocols(['--protocols', 'it']), { camera: true, bacnet: false });
  assert.deepEqual(protocols(['--protocols', 'ot']), { camera: false, bacnet: true });
  assert.deepEqual(protocols(['--protocols', 'BACnet,dns']), { camera: false, bacnet: true });
  assert.deepEqual(protocols(['--protocols', 'none']), { camera: false, bacnet: false });

  const bad = run('analyze', both, '--protocols', 'it,modbuss');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown protocol 'modbuss': use all, none, it, ot, tcp-syn, .*modbus/);
  const both2 = run('analyze', both, '--protocols', 'it', '--layers-only');
  assert.equal(both2.status, 2);
  assert.match(both2.stderr, /exclude each other/);
});

test('analyze --format csv writes one row per device to --out', () => {
  const out = join(tmp, 'inv.csv');
  const r = run('analyze', capture, '--format', 'csv', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
  assert.equal(rows.length, 2);
  assert.equal(rows.find((x) => x.mac === '00:1b:1b:aa:bb:cc')!.ips, '10.0.0.5');
});

test('analyze --format table prints a readable table', () => {
  const r = run('analyze', capture);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^DEVICE\s+IPS\s+VENDOR/m);
  assert.match(r.stdout, /00:1b:1b:aa:bb:cc\s+10\.0\.0\.5\s+Siemens AG/);
});

test('a missing file or a file that is not a capture: one line on stderr, exit code 2', () => {
  const missing = run('analyze', join(tmp, 'nope.pcap'));
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  assert.match(missing.stderr, /no such file/);
  const txt = join(tmp, 'readme.txt');
  writeFileSync(txt, 'not a capture\n'.repeat(10));
  const notCap = run('analyze', txt);
  assert.equal(notCap.status, 2);
  assert.equal(notCap.stderr.trim().split('\n').length, 1, notCap.stderr);
  assert.match(notCap.stderr, /not a capture file/);
  assert.equal(run('analyze', capture, '--format', 'xml').status, 2);
});

test('output to a folder that does not exist is refused clearly and leaves nothing behind', () => {
  const out = join(tmp, 'no', 'such', 'dir', 'x.json');
  const r = run('analyze', capture, '--format', 'json', '--out', out);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot write .* folder does not exist/);
  assert.equal(existsSync(out), false);
});

test('--out to a FIFO (or a device such as /dev/null) writes into it instead of renaming a file over it', async () => {
  const fifo = join(tmp, 'out.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  // The reader must be open before the writer's open() returns; cat drains it to a regular file.
  const got = join(tmp, 'from-fifo.json');
  const reader = spawn('sh', ['-c', `cat "${fifo}" > "${got}"`]);
  const readerDone = new Promise<number | null>((ok) => reader.on('exit', ok));
  const r = spawn(
    process.execPath,
    ['--import', 'tsx', cli, 'analyze', capture, '--format', 'json', '--out', fifo],
    {
      cwd: root,
    },
  );
  let stderr = '';
  r.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((ok) => r.on('exit', ok));
  assert.equal(code, 0, stderr);
  // A writer that renamed a file over the FIFO never opened it: the reader would wait for ever.
  const guard = setTimeout(() => reader.kill(), 10_000);
  const readerCode = await readerDone;
  clearTimeout(guard);
  assert.ok(statSync(fifo).isFIFO(), 'the FIFO is still a FIFO, not a regular file renamed over it');
  assert.equal(readerCode, 0);
  const inv = JSON.parse(readFileSync(got, 'utf8')) as { devices: unknown[] };
  assert.equal(inv.devices.length, 2);
});

test('a truncated capture is read up to the damage, with a warning', () => {
  const bytes = readFileSync(capture);
  const cut = join(tmp, 'cut.pcap');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 5));
  const r = run('analyze', cut, '--format', 'json');
  assert.equal(r.status, 0);
  assert.match(r.stderr, /warning: capture ends with a truncated record/);
  assert.equal(JSON.parse(r.stdout).stats.packets, 1);
});

test(
  'the README example: dhcp__zeek__dhcp.pcap gives devices with MAC, IPs and vendor',
  { skip: CORPUS_SKIP },
  () => {
    const r = run('analyze', join(PCAPS, 'dhcp__zeek__dhcp.pcap'), '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const inv = JSON.parse(r.stdout);
    const vm = inv.devices.find((d: { mac: string }) => d.mac === '00:0c:29:40:0e:ef');
    assert.equal(vm.vendor, 'VMware, Inc.');
    assert.ok(vm.ips.includes('128.2.6.152'));
  },
);

test('the installed command (bin/glasspane.cjs, the bundled CLI) works from any folder', () => {
  if (!existsSync(join(root, 'dist', 'cli.cjs'))) {
    const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(b.status, 0, b.stderr);
  }
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin', 'glasspane.cjs'), 'analyze', capture, '--format', 'json'],
    {
      cwd: tmpdir(),
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const inv = JSON.parse(r.stdout);
  const plc = inv.devices.find((d: { mac: string }) => d.mac === '00:1b:1b:aa:bb:cc');
  assert.equal(plc.vendor, 'Siemens AG');
  // Classification rules were found from the bundle too: the VMware NIC is called virtual.
  const vm = inv.devices.find((d: { mac: string }) => d.mac === '00:0c:29:11:22:33');
  assert.ok(vm.attributes && Object.keys(vm.attributes).length > 0, 'rules loaded');
});

/** The code cache header's checksum of the cached bytes, as bin/code-cache.cjs writes it. */
const checksum = (b: Uint8Array) =>
  typeof crc32 === 'function'
    ? crc32(b).toString(16).padStart(8, '0')
    : createHash('sha1').update(b).digest('hex');

test("the installed command keeps V8's code cache beside the bundle and survives a stale or damaged one", () => {
  const bundle = join(root, 'dist', 'cli.cjs');
  if (!existsSync(bundle)) return; // built by the test above
  const cacheFile = join(root, 'dist', '.cli.code-cache');
  const run = () =>
    spawnSync(
      process.execPath,
      [join(root, 'bin', 'glasspane.cjs'), 'analyze', capture, '--format', 'json'],
      {
        cwd: tmpdir(),
        encoding: 'utf8',
      },
    );
  const first = run();
  assert.equal(first.status, 0, first.stderr);
  const st = statSync(bundle);
  const stamp = `${st.size}:${st.mtimeMs}:`;
  const good = readFileSync(cacheFile);
  const nl = good.indexOf(10);
  assert.equal(
    good.subarray(0, nl).toString(),
    stamp + checksum(good.subarray(nl + 1)),
    'cache names this build',
  );
  const devices = (s: string) => (JSON.parse(s) as { devices: unknown[] }).devices;
  // The right stamp over bytes V8 cannot use: rejected, the run is the same, a fresh cache is written.
  const junk = Buffer.alloc(4096, 7);
  writeFileSync(cacheFile, Buffer.concat([Buffer.from(`${stamp}${checksum(junk)}\n`), junk]));
  const damaged = run();
  assert.equal(damaged.status, 0, damaged.stderr);
  assert.deepEqual(devices(damaged.stdout), devices(first.stdout));
  assert.ok(readFileSync(cacheFile).length > 4096 + stamp.length, 'rewritten');
  // The cache of this build with bytes flipped inside (V8 aborts on such bytes): not offered to V8.
  const flipped = Buffer.from(good);
  for (let i = nl + 200; i < nl + 2200 && i < flipped.length; i++) flipped[i] = flipped[i]! ^ 0x5a;
  writeFileSync(cacheFile, flipped);
  const rotten = run();
  assert.equal(rotten.status, 0, rotten.stderr);
  assert.deepEqual(devices(rotten.stdout), devices(first.stdout));
  assert.notDeepEqual(readFileSync(cacheFile), flipped, 'rewritten');
  // A cache from another build is not even offered to V8.
  writeFileSync(cacheFile, Buffer.concat([Buffer.from('1:2\n'), Buffer.alloc(64, 7)]));
  const stale = run();
  assert.equal(stale.status, 0, stale.stderr);
  assert.deepEqual(devices(stale.stdout), devices(first.stdout));
});

test('the analysis threads keep a code cache of their own, written when the pool closes', () => {
  const bundle = join(root, 'dist', 'analyze-worker.cjs');
  if (!existsSync(bundle)) return; // built by the test above
  const cacheFile = join(root, 'dist', '.analyze-worker.code-cache');
  const run = () =>
    spawnSync(
      process.execPath,
      [join(root, 'bin', 'glasspane.cjs'), 'analyze', capture, '--format', 'json', '--threads', '2'],
      { cwd: tmpdir(), encoding: 'utf8' },
    );
  rmSync(cacheFile, { force: true });
  const first = run();
  assert.equal(first.status, 0, first.stderr);
  const st = statSync(bundle);
  const good = readFileSync(cacheFile);
  const nl = good.indexOf(10);
  assert.equal(
    good.subarray(0, nl).toString(),
    `${st.size}:${st.mtimeMs}:` + checksum(good.subarray(nl + 1)),
  );
  // Damaged bytes under the right header are never offered to V8: the same inventory, a new cache.
  const flipped = Buffer.from(good);
  for (let i = nl + 200; i < nl + 2200 && i < flipped.length; i++) flipped[i] = flipped[i]! ^ 0x5a;
  writeFileSync(cacheFile, flipped);
  const again = run();
  assert.equal(again.status, 0, again.stderr);
  const devices = (s: string) => (JSON.parse(s) as { devices: unknown[] }).devices;
  assert.deepEqual(devices(again.stdout), devices(first.stdout));
  assert.notDeepEqual(readFileSync(cacheFile), flipped, 'rewritten');
});

test('NFLOG captures are read: the logged IP packets make devices, as tshark decodes them', () => {
  const pkt = (src: string, dst: string) => ipv4(src, dst, 17, udp(5353, 53, new Uint8Array(12)));
  const file = writePcap(join(tmp, 'nflog.pcap'), 239, [
    {
      data: nflog(2, [
        [8, nflogHwaddr('00:1b:1b:01:02:03')],
        [9, pkt('192.168.7.10', '192.168.7.1')],
      ]),
    },
    { data: nflog(2, [[9, pkt('192.168.7.11', '192.168.7.1')]]) },
  ]);
  const r = run('analyze', file, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /warning/);
  const inv = JSON.parse(r.stdout);
  assert.equal(inv.stats.unknownLinkType, 0);
  assert.equal(inv.stats.unknownLinkTypes, undefined);
  const ips = inv.devices.flatMap((d: { ips: string[] }) => d.ips).sort();
  assert.deepEqual(ips, ['192.168.7.1', '192.168.7.10', '192.168.7.11']);
  assert.deepEqual(inv.devices.find((d: { mac: string }) => d.mac === '00:1b:1b:01:02:03').ips, [
    '192.168.7.10',
  ]);
  if (tsharkAvailable()) {
    const theirs = [...tsharkFields(file, ['ip.src']).values()].map((f) => f[0]![0]);
    assert.deepEqual(theirs, ['192.168.7.10', '192.168.7.11']);
  }
});

test('a link type Glasspane does not read: one warning per type on stderr and in stats, data kept', () => {
  const wifi = writePcap(join(tmp, 'wifi.pcap'), 127, [
    { data: new Uint8Array(40) },
    { data: new Uint8Array(40) },
  ]);
  const r = run('analyze', wifi, capture, '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stderr.trim(),
    'glasspane: wifi.pcap: warning: link type 127 (IEEE802_11_RADIOTAP) is not read: 2 frames skipped',
  );
  const inv = JSON.parse(r.stdout);
  assert.equal(inv.stats.unknownLinkType, 2);
  assert.deepEqual(inv.stats.unknownLinkTypes, { 127: 2 });
  assert.deepEqual(inv.stats.sources[0].warnings, [
    'link type 127 (IEEE802_11_RADIOTAP) is not read: 2 frames skipped',
  ]);
  assert.deepEqual(inv.stats.sources[1].warnings, []);
  // The readable capture after it still counts.
  assert.ok(inv.devices.some((d: { mac: string }) => d.mac === '00:1b:1b:aa:bb:cc'));
  const odd = writePcap(join(tmp, 'odd.pcap'), 4242, [{ data: new Uint8Array(1) }]);
  assert.match(
    run('analyze', odd).stderr,
    /^glasspane: odd\.pcap: warning: link type 4242 is not read: 1 frame skipped$/m,
  );
});

test('a reader that closes the pipe early (analyze F | head) ends the run quietly, exit 0', () => {
  // 3000 devices: far more output than a pipe holds, so the writes after `head` leaves hit EPIPE.
  const many = writePcap(
    join(tmp, 'many.pcap'),
    1,
    Array.from({ length: 3000 }, (_, i) => {
      const m = `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
      const ip = `10.1.${i >> 8}.${i & 0xff}`;
      return {
        data: ethernet('ff:ff:ff:ff:ff:ff', m, 0x0806, arp(1, m, ip, '00:00:00:00:00:00', '10.1.0.1')),
      };
    }),
  );
  for (const format of ['json', 'csv', 'table']) {
    const err = join(tmp, `epipe-${format}.txt`);
    const r = spawnSync(
      'bash',
      [
        '-c',
        'set -o pipefail; "$0" --import tsx "$1" analyze "$2" --format "$3" --no-progress 2>"$4" | head -c 200 >/dev/null',
        process.execPath,
        cli,
        many,
        format,
        err,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    const stderr = readFileSync(err, 'utf8');
    assert.equal(r.status, 0, `${format}: ${stderr}`);
    assert.doesNotMatch(stderr, /EPIPE|internal error|^\s+at /m, format);
  }
});
