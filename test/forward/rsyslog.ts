import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CORPUS_SKIP } from '../helpers/corpus';

export const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p)) ?? null;

/** Why a test that needs rsyslog and the corpus skips, or false. */
export const RSYSLOG_SKIP: string | false =
  RSYSLOGD === null
    ? 'rsyslogd is not installed (apt-get install rsyslog; .ci/run installs it)'
    : CORPUS_SKIP;

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src-main', 'cli', 'glasspane.ts');

/**
 * `glasspane ARGS` from source, each run with its own data folder so the queues one test leaves do
 * not flow into another; `ms` is the wall time the process took.
 */
export function runGlasspane(
  ...args: string[]
): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((done) => {
    const data = mkdtempSync(join(tmpdir(), 'gp-fwd-data-'));
    const p = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, XDG_DATA_HOME: data },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => {
      rmSync(data, { recursive: true, force: true });
      done({ status, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** A real rsyslogd on loopback (UDP and TCP inputs) writing every raw message to one file, one per line. */
export interface Rsyslog {
  udpPort: number;
  tcpPort: number;
  out: string;
  /** The raw messages received so far. */
  lines(): string[];
  /** Wait until at least `n` messages arrived (or the timeout passed); returns them. */
  waitFor(n: number, timeoutMs?: number): Promise<string[]>;
  stop(): Promise<void>;
}

async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** rsyslog's GnuTLS driver (Debian: rsyslog-gnutls), for the TLS input. */
export const RSYSLOG_TLS = [
  '/usr/lib/x86_64-linux-gnu/rsyslog',
  '/usr/lib/aarch64-linux-gnu/rsyslog',
  '/usr/lib/rsyslog',
]
  .map((d) => join(d, 'lmnsd_gtls.so'))
  .some((p) => existsSync(p));

/**
 * With `tls`, the TCP input speaks RFC 5425 with this certificate and key: to anonymous clients, or
 * with `authMode: 'x509/certvalid'` only to clients whose certificate the CA signed.
 */
export async function startRsyslog(tls?: {
  ca: string;
  cert: string;
  key: string;
  authMode?: 'anon' | 'x509/certvalid';
}): Promise<Rsyslog> {
  if (RSYSLOGD === null) throw new Error('rsyslogd is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'gp-rsyslog-'));
  const [udpPort, tcpPort] = [await freeUdpPort(), await freeTcpPort()];
  const out = join(dir, 'received.log');
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    [
      tls === undefined
        ? `global(workDirectory="${dir}" maxMessageSize="64k")`
        : `global(workDirectory="${dir}" maxMessageSize="64k" defaultNetstreamDriver="gtls"` +
          ` defaultNetstreamDriverCAFile="${tls.ca}" defaultNetstreamDriverCertFile="${tls.cert}"` +
          ` defaultNetstreamDriverKeyFile="${tls.key}")`,
      'module(load="imudp")',
      tls === undefined
        ? 'module(load="imtcp")'
        : `module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="${tls.authMode ?? 'anon'}")`,
      // The message exactly as it arrived (the octet count of TCP framing removed), one per line.
      'template(name="raw" type="string" string="%rawmsg%\\n")',
      `input(type="imudp" address="127.0.0.1" port="${udpPort}" ruleset="keep")`,
      `input(type="imtcp" address="127.0.0.1" port="${tcpPort}" ruleset="keep")`,
      `ruleset(name="keep") { action(type="omfile" file="${out}" template="raw" asyncWriting="off" flushOnTXEnd="on") }`,
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const started = Date.now();
  while (!(await accepts(tcpPort))) {
    if (proc.exitCode !== null || Date.now() - started > 10000)
      throw new Error(`rsyslogd did not start: ${stderr.trim() || 'exit ' + String(proc.exitCode)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const lines = () =>
    existsSync(out)
      ? readFileSync(out, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
      : [];
  return {
    udpPort,
    tcpPort,
    out,
    lines,
    async waitFor(n, timeoutMs = 10000) {
      const until = Date.now() + timeoutMs;
      while (lines().length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      // A little longer, so that more than expected would show.
      await new Promise((r) => setTimeout(r, 200));
      return lines();
    },
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        // rsyslogd with a TLS session open has been seen to ignore SIGTERM on a loaded machine.
        const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(kill);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
