/**
 * `glasspane serve` off loopback: refused without TLS and an allow-list (exit 2, the SSH tunnel way
 * in the message); with a certificate from a test CA made by openssl and --allow-host, it serves
 * https and wss to clients that name an allowed host, and refuses other Host headers and Origins.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseCallResult } from '../../shared/ipc/contract';
import { runServe, startServe, type ServeProcess } from './helpers/serve-process';
import { WsClient } from './helpers/ws-client';
import { makeTestCa } from '../helpers/test-ca';

const tmp = mkdtempSync(join(tmpdir(), 'gp-serve-tls-'));
const site = join(tmp, 'site');
let cert: string;
let key: string;
const NAME = 'sensor.test';
let ca: Buffer;
let serve: ServeProcess;
/** serve off loopback with this renderer, and the rest of its arguments. */
const offLoopback = (...rest: string[]) => ['--renderer', site, '--host', '0.0.0.0', ...rest];

before(async () => {
  mkdirSync(site);
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>tls</title>');
  const pki = makeTestCa([NAME]);
  cert = pki.cert;
  key = pki.key;
  ca = readFileSync(pki.ca);
  serve = await startServe(offLoopback('--tls-cert', cert, '--tls-key', key, '--allow-host', NAME));
});

after(async () => {
  await serve?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** GET over TLS to loopback, verifying the certificate for NAME, with the given Host header. */
function get(path: string, host: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: serve.port, path, ca, servername: NAME, headers: { host } },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const tls = () => ({ ca, servername: NAME, address: '127.0.0.1' });

test('the URL is https with the allowed name; the page is served to that name only', async () => {
  assert.match(
    serve.url,
    new RegExp(`^https://${NAME.replace('.', '\\.')}:\\d+/\\?token=[A-Za-z0-9_-]{43}$`),
  );
  await serve.waitForStderr(/reachable from the network over TLS, for clients that name sensor\.test/);
  const page = await get('/', `${NAME}:${serve.port}`);
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>tls<\/title>/);
  for (const wrong of [`evil.example:${serve.port}`, `127.0.0.1:${serve.port}`, `${NAME}:${serve.port + 1}`])
    assert.equal((await get('/', wrong)).status, 421, wrong);
});

test('wss with the allowed Host and its https Origin works; other names and schemes are refused', async () => {
  const origin = `https://${NAME}:${serve.port}`;
  const c = await WsClient.open(serve.origin, { origin }, tls());
  await c.hello(serve.token);
  const r = parseCallResult('listSources', await c.call('listSources', {}));
  assert.ok(r.ok);
  c.close();
  await assert.rejects(WsClient.open(serve.origin, { origin: `http://${NAME}:${serve.port}` }, tls()), /403/);
  await assert.rejects(
    WsClient.open(
      serve.origin,
      { host: `evil.example:${serve.port}`, origin: `https://evil.example:${serve.port}` },
      tls(),
    ),
    /403/,
  );
  // Plain ws to the TLS port gets nowhere.
  await assert.rejects(WsClient.open(`http://127.0.0.1:${serve.port}`));
});

test('each missing piece off loopback is named in the refusal, with the SSH tunnel way', async () => {
  const tlsOnly = await runServe(offLoopback('--tls-cert', cert, '--tls-key', key));
  assert.equal(tlsOnly.code, 2);
  assert.match(
    tlsOnly.stderr,
    /^glasspane: refusing to serve the console on 0\.0\.0\.0 without --allow-host NAME: /,
  );
  assert.match(tlsOnly.stderr, /ssh -L 8080:127\.0\.0\.1:8080 sensor-host/);
  const hostsOnly = await runServe(offLoopback('--allow-host', NAME));
  assert.equal(hostsOnly.code, 2);
  assert.match(hostsOnly.stderr, /without --tls-cert FILE --tls-key FILE: /);
  const half = await runServe(offLoopback('--tls-cert', cert, '--allow-host', NAME));
  assert.equal(half.stderr, 'glasspane: --tls-cert and --tls-key go together: give both (PEM files)\n');
  const missing = await runServe(
    offLoopback('--tls-cert', join(tmp, 'nope.pem'), '--tls-key', key, '--allow-host', NAME),
  );
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, `glasspane: cannot read --tls-cert ${join(tmp, 'nope.pem')}: no such file\n`);
  const swapped = await runServe(offLoopback('--tls-cert', key, '--tls-key', cert, '--allow-host', NAME));
  assert.equal(swapped.code, 2);
  assert.match(
    swapped.stderr,
    /^glasspane: the TLS certificate or key is not usable \(.+\): give a PEM certificate in --tls-cert and its own private key in --tls-key\n$/,
  );
  const badName = await runServe(offLoopback('--tls-cert', cert, '--tls-key', key, '--allow-host', 'x:80'));
  assert.equal(badName.code, 2);
  assert.match(badName.stderr, /--allow-host 'x:80' is not a host name/);
  for (const r of [tlsOnly, hostsOnly, half, missing, swapped, badName]) {
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
