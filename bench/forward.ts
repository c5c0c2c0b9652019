/**
 * The forwarding part of `npm run bench` (alone: `npm run bench -- --only forward`), on the bench
 * capture's own devices:
 * - events per second per format (CEF, LEEF, RFC 5424 JSON, OCSF, ECS), formatting only;
 * - events per second per destination kind on loopback, end to end through the disk queue: syslog
 *   over TCP to a listener in this process, and the webhook to a local HTTPS server (a test CA);
 * - the cost of forwarding on the analysis: `glasspane analyze` of the bench capture with and
 *   without `--forward syslog+tcp://` to the loopback listener, best of the runs, as a ratio.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttps } from 'node:https';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analysisEvents, type ForwardEvent, type Origin } from '../shared/forward/events';
import { toCef } from '../shared/forward/cef';
import { toLeef } from '../shared/forward/leef';
import { toJsonBody, toSyslog } from '../shared/forward/syslog5424';
import { toOcsf } from '../shared/forward/ocsf';
import { toEcs } from '../shared/forward/ecs';
import { analyzeFile, createAnalyzer } from '../src-main/engine/pipeline';
import { parseForwardUri } from '../src-main/forward/destination';
import { Forwarder } from '../src-main/forward/forwarder';
import { makeTestCa } from '../test/helpers/test-ca';

const origin: Origin = { host: 'bench', version: '0.1.0' };

/** At least `n` events: the capture's own, repeated (each copy with its own id, as a queue needs). */
function enough(base: ForwardEvent[], n: number): ForwardEvent[] {
  const out: ForwardEvent[] = [];
  for (let k = 0; out.length < n; k++) for (const e of base) out.push({ ...e, id: `${e.id}-${k}` });
  return out.slice(0, n);
}

function perSecond(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en')} events/s`;
}

/** Formatting only: the best of three passes over the events. */
function formats(events: ForwardEvent[]): void {
  const fns: [string, (e: ForwardEvent) => string][] = [
    ['CEF (in RFC 5424)', (e) => toSyslog(e, origin, toCef(e, origin))],
    ['LEEF (in RFC 5424)', (e) => toSyslog(e, origin, toLeef(e, origin))],
    ['RFC 5424 JSON', (e) => toSyslog(e, origin, toJsonBody(e))],
    ['OCSF', (e) => JSON.stringify(toOcsf(e, origin))],
    ['ECS', (e) => JSON.stringify(toEcs(e, origin))],
  ];
  console.log(`\nformat\tevents/s (${events.length} events, best of 3)`);
  for (const [name, f] of fns) {
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      let bytes = 0;
      for (const e of events) bytes += f(e).length;
      best = Math.min(best, performance.now() - t0);
      if (bytes === 0) throw new Error(`${name} produced nothing`);
    }
    console.log(`${name}\t${perSecond(events.length, best)}`);
  }
}

/** A syslog TCP listener counting octet-counted frames. */
async function syslogListener(): Promise<{ port: number; frames(): number; server: Server }> {
  let frames = 0;
  const server = createServer((c) => {
    let buf = Buffer.alloc(0);
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp < 0) break;
        const len = Number(buf.subarray(0, sp).toString());
        if (buf.length < sp + 1 + len) break;
        buf = buf.subarray(sp + 1 + len);
        frames++;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, frames: () => frames, server };
}

/** End to end through the disk queue: queue every event, then wait until the receiver holds them. */
async function destinations(events: ForwardEvent[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gp-bench-fwd-'));
  const pki = makeTestCa();
  const secret = join(dir, 'secret');
  writeFileSync(secret, 'bench-secret\n', { mode: 0o600 });
  const syslog = await syslogListener();
  let hooked = 0;
  const https = createHttps({ cert: readFileSync(pki.cert), key: readFileSync(pki.key) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooked += (JSON.parse(Buffer.concat(chunks).toString()) as { events: unknown[] }).events.length;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const hport = (https.address() as { port: number }).port;
  const kinds: [string, string, () => number][] = [
    ['syslog+tcp (CEF)', `syslog+tcp://127.0.0.1:${syslog.port}?format=cef`, syslog.frames],
    ['webhook (https)', `https://127.0.0.1:${hport}/hook?secret-file=${secret}&ca=${pki.ca}`, () => hooked],
  ];
  console.log(`\ndestination (loopback, through the disk queue)\tevents/s (${events.length} events)`);
  try {
    for (const [name, uri, received] of kinds) {
      const before = received();
      const f = new Forwarder([parseForwardUri(uri)], origin, join(dir, name.replace(/\W/g, '_')));
      const t0 = performance.now();
      f.start();
      f.send(events);
      const [r] = await f.finish(120_000);
      const ms = performance.now() - t0;
      const got = received() - before;
      if (r!.stats.queued !== 0 || got !== events.length)
        throw new Error(`${name}: ${got} of ${events.length} received (${r!.stats.lastError ?? 'no error'})`);
      console.log(`${name}\t${perSecond(events.length, ms)}`);
    }
  } finally {
    syslog.server.close();
    https.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(pki.ca, '..'), { recursive: true, force: true });
  }
}

/** One `glasspane analyze` as a child (async: the listener in this process must keep answering). */
function analyzeWall(cli: string, capture: string, extra: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(
      cli,
      ['analyze', capture, '--format', 'json', '--out', '/dev/null', '--no-progress', ...extra],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env,
      },
    );
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`analyze failed (${code}): ${err}`));
      else if (extra.length > 0 && !/forwarded \d+ event\(s\)/.test(err))
        reject(new Error(`not forwarded: ${err}`));
      else resolve(ms);
    });
  });
}

async function analysisCost(cli: string, capture: string, runs: number, devices: number): Promise<void> {
  const syslog = await syslogListener();
  const dir = mkdtempSync(join(tmpdir(), 'gp-bench-fwd-'));
  const env = { ...process.env, XDG_DATA_HOME: dir };
  const fwd = ['--forward', `syslog+tcp://127.0.0.1:${syslog.port}?format=cef`, '--data-dir', dir];
  try {
    let without = Infinity;
    let with_ = Infinity;
    // Alternated, so both see the same machine; the best of the runs each.
    for (let i = 0; i < runs; i++) {
      without = Math.min(without, await analyzeWall(cli, capture, [], env));
      with_ = Math.min(with_, await analyzeWall(cli, capture, fwd, env));
    }
    console.log(`\nanalyze of the bench capture (${devices} devices forwarded), best of ${runs}`);
    console.log(['run', 'wall s', 'with / without'].join('\t'));
    console.log(['without --forward', (without / 1000).toFixed(2), '1.00'].join('\t'));
    console.log(
      ['--forward syslog+tcp (CEF)', (with_ / 1000).toFixed(2), (with_ / without).toFixed(2)].join('\t'),
    );
  } finally {
    syslog.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchForward(o: { cli: string; capture: string; runs: number }): Promise<void> {
  console.log(`\nforwarding, on ${o.capture}:`);
  const a = createAnalyzer();
  await analyzeFile(a, o.capture);
  const base = analysisEvents(a.snapshot(), [], origin);
  if (base.length === 0) throw new Error('the bench capture gave no devices to forward');
  formats(enough(base, 50_000));
  await destinations(enough(base, 20_000));
  await analysisCost(o.cli, o.capture, o.runs, base.length);
}
