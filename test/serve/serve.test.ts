/**
 * `glasspane serve` as a child process: the URL line, the token, the Origin and Host checks, static
 * files with the CSP and without a way out of the build folder, --open, --host, and shutdown.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseCallResult } from '../../shared/ipc/contract';
import { WS_LIMITS } from '../../shared/ipc/limits';
import { CLOSE_CODES, HELLO_TIMEOUT_MS } from '../../shared/ipc/wire';
import { demoCapturePath } from '../../src-main/demo/demo-path';
import { NET } from '../../src-main/demo/network';
import { runServe, startServe, type ServeProcess } from './helpers/serve-process';
import { waitForCaptureState, WsClient } from './helpers/ws-client';

const tmp = mkdtempSync(join(tmpdir(), 'gp-serve-'));
process.env.GLASSPANE_CACHE_DIR = join(tmp, 'cache');
const SECRET = 'TOP-SECRET-OUTSIDE-THE-BUILD';
const site = join(tmp, 'site');
let serve: ServeProcess;

before(async () => {
  // A stand-in renderer build with the traps a static server must not fall into.
  mkdirSync(join(site, 'sub'), { recursive: true });
  writeFileSync(join(tmp, 'secret.txt'), SECRET);
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>t</title><script src="./main.js"></script>');
  writeFileSync(join(site, 'main.js'), 'console.log(1);');
  writeFileSync(join(site, 'main.js.map'), `{"sourcesContent":["${SECRET}"]}`);
  writeFileSync(join(site, 'main.css'), 'body{}');
  writeFileSync(join(site, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(site, 'sub', 'inner.txt'), 'inner');
  writeFileSync(join(site, '.hidden'), SECRET);
  symlinkSync(join(tmp, 'secret.txt'), join(site, 'link.txt'));
  serve = await startServe(['--renderer', site]);
});

after(async () => {
  await serve?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: serve.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the first stdout line is the loopback URL with a long random token', async () => {
  assert.match(serve.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  assert.equal(serve.stdout().split('\n')[0], serve.url);
  const other = await startServe(['--renderer', site]);
  try {
    assert.notEqual(other.token, serve.token, 'a new token each run');
    assert.notEqual(other.port, serve.port, '--port 0 picks a free port');
  } finally {
    await other.stop();
  }
});

test('a wrong token is closed with 4401; the right one is welcomed and calls work', async () => {
  const bad = await WsClient.open(serve.origin);
  await assert.rejects(bad.hello(serve.token.slice(0, -1) + (serve.token.endsWith('A') ? 'B' : 'A')));
  assert.equal((await bad.closed).code, CLOSE_CODES.unauthorized);

  const good = await WsClient.connect(serve.origin, serve.token);
  const r = parseCallResult('listSources', await good.call('listSources', {}));
  assert.ok(r.ok && r.value.interfaces.length > 0);
  good.close();
});

test('a call before the hello, a non-JSON frame and a binary frame close the socket', async () => {
  const early = await WsClient.open(serve.origin);
  early.send({ t: 'call', id: 1, name: 'listSources', payload: {} });
  assert.equal((await early.closed).code, CLOSE_CODES.unauthorized);

  const junk = await WsClient.open(serve.origin);
  junk.send('{not json');
  assert.equal((await junk.closed).code, CLOSE_CODES.badMessage);

  const wrongShape = await WsClient.connect(serve.origin, serve.token);
  wrongShape.send({ t: 'call', id: -1, name: 'listSources', payload: {} });
  assert.equal((await wrongShape.closed).code, CLOSE_CODES.badMessage);

  const binary = await WsClient.connect(serve.origin, serve.token);
  binary.ws.send(Buffer.from('{"t":"call"}'), { binary: true });
  assert.equal((await binary.closed).code, CLOSE_CODES.badMessage);
});

test('a client that never says hello is closed with 4401 after the hello timeout', async () => {
  const quiet = await WsClient.open(serve.origin);
  const started = Date.now();
  assert.equal((await quiet.closed).code, CLOSE_CODES.unauthorized);
  assert.ok(Date.now() - started >= HELLO_TIMEOUT_MS - 200);
});

test('WebSocket upgrades from another origin or for another host name are refused', async () => {
  await assert.rejects(WsClient.open(serve.origin, { origin: 'http://evil.example' }), /403/);
  await assert.rejects(WsClient.open(serve.origin, { origin: `http://localhost:${serve.port + 1}` }), /403/);
  await assert.rejects(WsClient.open(serve.origin, { origin: 'null' }), /403/);
  // DNS rebinding: the attacker's name pointed at 127.0.0.1, with its own (matching) origin.
  await assert.rejects(
    WsClient.open(serve.origin, {
      host: `evil.example:${serve.port}`,
      origin: `http://evil.example:${serve.port}`,
    }),
    /403/,
  );
  const same = await WsClient.open(serve.origin, { origin: serve.origin });
  await same.hello(serve.token);
  same.close();
  const viaLocalhost = await WsClient.open(serve.origin, {
    host: `localhost:${serve.port}`,
    origin: `http://localhost:${serve.port}`,
  });
  await viaLocalhost.hello(serve.token);
  viaLocalhost.close();
  await serve.waitForStderr(/refused a WebSocket from origin http:\/\/evil\.example/);
});

test('a frame above WS_LIMITS.clientFrameBytes closes the connection (1009) instead of being buffered', async () => {
  const c = await WsClient.connect(serve.origin, serve.token);
  c.send('"' + 'a'.repeat(WS_LIMITS.clientFrameBytes) + '"');
  assert.deepEqual(await c.closed, { code: 1009, reason: 'frame too large' });
});

test('static files: content types, the CSP header, no listings, nothing outside the build', async () => {
  const index = await get('/');
  assert.equal(index.status, 200);
  assert.match(index.body, /<title>t<\/title>/);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  const csp = String(index.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(index.headers['x-content-type-options'], 'nosniff');
  assert.equal((await get('/main.js')).headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal((await get('/main.css')).headers['content-type'], 'text/css; charset=utf-8');
  assert.equal((await get('/sub/inner.txt')).body, 'inner');
  const head = await get('/main.js', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal((await get('/main.js', {}, 'POST')).status, 405);

  for (const p of [
    '/sub',
    '/sub/',
    '/nope.js',
    '/../secret.txt',
    '/../package.json',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/sub/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/.%2e/secret.txt',
    '/%252e%252e/secret.txt',
    '//etc/passwd',
    '/main.js%00.html',
    '/main.js.map',
    '/main.js.MAP',
    '/main.js%2emap',
    '/.hidden',
    '/link.txt',
    '/%ff%fe',
  ]) {
    const r = await get(p);
    assert.equal(r.status, 404, `${p} -> ${r.status}`);
    assert.ok(!r.body.includes(SECRET), `${p} leaked the secret`);
    assert.ok(r.headers['content-security-policy'], `${p}: errors carry the CSP too`);
  }
});

test('the page icon answers /favicon.ico too, typed as the SVG it is', async () => {
  for (const p of ['/favicon.ico', '/icon.svg']) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    assert.equal(r.headers['content-type'], 'image/svg+xml', p);
    assert.match(r.body, /^<svg /, p);
  }
});

test('requests naming another host (DNS rebinding) are refused', async () => {
  assert.equal((await get('/', { host: `evil.example:${serve.port}` })).status, 421);
  assert.equal((await get('/', { host: `localhost:${serve.port}` })).status, 200);
});

test('--open analyses a capture at start; SIGINT shuts down cleanly', async () => {
  const demo = await demoCapturePath();
  const s = await startServe(['--renderer', site, '--open', demo]);
  try {
    const c = await WsClient.connect(s.origin, s.token);
    const snap = (await waitForCaptureState(c, ['finished'])) as { devices: { mac: string | null }[] };
    assert.ok(snap.devices.some((d) => d.mac === NET.plc1.mac));
    const closed = c.closed;
    assert.equal(await s.stop('SIGINT'), 0);
    assert.equal((await closed).code, 1001, 'clients are told the host is going away');
    await s.waitForStderr(/interrupted: shutting down/);
  } finally {
    await s.stop();
  }
});

test('--host off loopback without TLS and an allow-list is refused (exit 2) with the SSH tunnel way', async () => {
  const r = await runServe(['--renderer', site, '--host', '0.0.0.0']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    'glasspane: refusing to serve the console on 0.0.0.0 without --tls-cert FILE --tls-key FILE and ' +
      '--allow-host NAME: off loopback it needs TLS and the names clients use; or keep the default ' +
      '--host 127.0.0.1 and reach it through an SSH tunnel: ssh -L 8080:127.0.0.1:8080 sensor-host, ' +
      'then open http://127.0.0.1:8080/ with the token\n',
  );
  await serve.waitForStderr(/console at/);
  assert.match(serve.stderr(), /its token is valid until this server stops/);
  assert.doesNotMatch(serve.stderr(), /reachable from the network/);
});

test('bad arguments exit with 2 and say why', async () => {
  const r = await runServe(['--port', '70000']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid port '70000'/);
  assert.equal(r.stdout, '');
  const busy = await runServe(['--port', String(serve.port), '--renderer', site]);
  assert.equal(busy.code, 2);
  assert.match(busy.stderr, /in use/);
});
