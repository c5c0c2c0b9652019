/**
 * `glasspane analyze -` and FIFOs: captures read from a pipe (cat, gzip and a real `tcpdump -w -`)
 * and from a named pipe give the inventory the same capture gives as a file; pipe input that is not
 * a capture, or '-' twice, is a one-line usage error.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { PCAPS, CORPUS_SKIP } from '../helpers/corpus';

const root = resolve(import.meta.dirname, '..', '..');
const cli = join(root, 'src-main', 'cli', 'glasspane.ts');
const glasspane = `'${process.execPath}' --import tsx '${cli}'`;
const tmp = mkdtempSync(join(tmpdir(), 'gp-stream-'));
const skip = CORPUS_SKIP;

const PCAP = join(PCAPS, 'multi-lan-enip-plant__iti-ics__EIP-ControlProtocolChangeAttempt.pcap');
const PCAPNG = join(PCAPS, 'multi-lan-s7-plant__iti-ics__wrapup.pcapng');

after(() => rmSync(tmp, { recursive: true, force: true }));

function sh(cmd: string) {
  return spawnSync('sh', ['-c', cmd], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function fromFile(path: string, format = 'csv'): string {
  const r = sh(`${glasspane} analyze '${path}' --format ${format} --no-progress`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** The inventory JSON with what may differ between two reads of one capture (time, path) set aside. */
function comparable(json: string) {
  const inv = JSON.parse(json) as {
    generatedAt?: string;
    stats: { sources: { path: string }[] };
    devices: unknown[];
  };
  delete inv.generatedAt;
  for (const s of inv.stats.sources) s.path = '';
  return inv;
}

test('cat FILE | glasspane analyze - gives what the file gives: pcap, pcapng and gzip', { skip }, () => {
  for (const file of [PCAP, PCAPNG]) {
    const want = fromFile(file);
    assert.ok(want.split('\n').length > 3, 'the capture has devices');
    const piped = sh(`cat '${file}' | ${glasspane} analyze - --format csv`);
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal(piped.stdout, want, file);
    const gz = sh(`gzip -c '${file}' | ${glasspane} analyze - --format csv`);
    assert.equal(gz.status, 0, gz.stderr);
    assert.equal(gz.stdout, want, `${file} gzip-compressed`);
  }
  const json = sh(`cat '${PCAPNG}' | ${glasspane} analyze - --format json --evidence`);
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(comparable(json.stdout), comparable(fromFile(PCAPNG, 'json --evidence')));
  assert.equal(
    (JSON.parse(json.stdout) as { stats: { sources: { path: string }[] } }).stats.sources[0]!.path,
    '-',
  );
});

test('a real tcpdump -w - | glasspane analyze - streams the capture through', { skip }, () => {
  const r = sh(`tcpdump -n -r '${PCAP}' -w - 2>/dev/null | ${glasspane} analyze - --format csv`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, fromFile(PCAP));
  // tcpdump writes pcapng input back out as pcap: the same devices, through another format.
  const ng = sh(`tcpdump -n -r '${PCAPNG}' -w - 2>/dev/null | ${glasspane} analyze - --format csv`);
  assert.equal(ng.status, 0, ng.stderr);
  assert.equal(ng.stdout, fromFile(PCAPNG));
});

test('analyze of a FIFO waits for its writer and reads the capture through it', { skip }, async () => {
  const fifo = join(tmp, 'capture.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'analyze', fifo, '--format', 'csv'], {
    cwd: root,
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  // The writer comes later, as tcpdump -w FIFO would.
  await new Promise((r) => setTimeout(r, 500));
  const { createWriteStream } = await import('node:fs');
  await new Promise<void>((res, rej) =>
    createReadStream(PCAP).pipe(createWriteStream(fifo)).on('finish', res).on('error', rej),
  );
  assert.equal(await exited, 0, err);
  assert.equal(out, fromFile(PCAP));
});

test("what is not a capture on standard input, or '-' twice, is a one-line usage error", () => {
  const junk = sh(`printf 'hello, not a capture' | ${glasspane} analyze -`);
  assert.equal(junk.status, 2);
  assert.match(junk.stderr, /^glasspane: standard input is not a capture file \(expected pcap or pcapng/);
  assert.equal(junk.stderr.trim().split('\n').length, 1);
  const empty = sh(`${glasspane} analyze - < /dev/null`);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /standard input is not a capture file/);
  const twice = sh(`${glasspane} analyze - - < /dev/null`);
  assert.equal(twice.status, 2);
  assert.equal(twice.stderr, "glasspane: '-' (standard input) can be read once: give it a single time\n");
});
