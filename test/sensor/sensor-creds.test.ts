// `glasspane sensor --creds` and `inventory --nats --creds` against a real nats-server 2.9 in
// operator mode (decentralised JWT auth): an operator, accounts and users minted by our own helper,
// the accounts preloaded into a memory resolver, JetStream enabled by the account's limits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import type { DeviceJson, InventoryJson } from '../../shared/model/inventory';
import { TestNats } from '../helpers/nats-server';
import {
  DHCP_CAPTURE as B,
  ENIP_CAPTURE as C,
  natsCorpusSkip,
  sensorArgs,
  siteMessages,
} from '../helpers/nats-sensor';
import { NatsOperator, userCreds } from '../helpers/nats-jwt';

const cli = resolve(import.meta.dirname, '..', '..', 'src-main', 'cli', 'glasspane.ts');
const skip = natsCorpusSkip(B, C);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function glasspane(args: string[]): Promise<Run> {
  const p = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { code: null, stdout: '', stderr: '' };
  p.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
  return new Promise((r) =>
    p.on('close', (code) => {
      run.code = code;
      r(run);
    }),
  );
}

type Seen = Map<string, Pick<DeviceJson, 'type' | 'packets' | 'mac'>>;

/** The device ids, types and packet counts an analysis of the captures alone gives. */
async function analysed(...files: string[]): Promise<Seen> {
  const a = createAnalyzer();
  for (const f of files) await analyzeFile(a, f);
  return new Map(a.snapshot().devices.map((d) => [d.id, { type: d.type, packets: d.packets, mac: d.mac }]));
}

function bySite(inv: InventoryJson, site: string): Seen {
  return new Map(
    inv.devices
      .filter((d) => d.site === site)
      .map((d) => [d.id, { type: d.type, packets: d.packets, mac: d.mac }]),
  );
}

describe('glasspane sensor and inventory with a creds file (operator mode)', { skip: skip ?? false }, () => {
  let nats: TestNats;
  let dir: string;
  let data: string;
  let admin: NatsConnection;
  const files: Record<string, string> = {};

  before(async () => {
    const op = new NatsOperator();
    const sys = op.account('SYS');
    const acct = op.account('glasspane', { jetstream: true });
    // An account the server does not know: another operator's, as a creds file from elsewhere is.
    const stranger = new NatsOperator('elsewhere').account('glasspane', { jetstream: true });
    nats = await new TestNats([], {
      operator: {
        jwt: op.jwt,
        systemAccount: sys.key.getPublicKey(),
        accounts: { [sys.key.getPublicKey()]: sys.jwt, [acct.key.getPublicKey()]: acct.jwt },
      },
    }).start();
    dir = mkdtempSync(join(tmpdir(), 'gp-creds-'));
    data = join(dir, 'data');
    const write = (name: string, text: string) => {
      files[name] = join(dir, `${name}.creds`);
      writeFileSync(files[name], text, { mode: 0o600 });
    };
    write('sensor', userCreds(acct, 'sensor'));
    // Ends at the seed's END line, without nsc's trailing line of stars.
    write('console', userCreds(acct, 'console').replace(/(END USER NKEY SEED-+)[\s\S]*$/, '$1'));
    write('site-a', userCreds(acct, 'site-a', { publish: ['glasspane.a.>'], subscribe: ['_INBOX.>'] }));
    write('stranger', userCreds(stranger, 'sensor'));
    admin = await connect({
      servers: nats.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(userCreds(acct, 'admin'))),
    });
  });

  after(async () => {
    await admin?.close();
    await nats?.cleanup();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const sensor = (creds: string, site: string, name: string, ...rest: string[]) =>
    glasspane(sensorArgs(site, name, ['--nats', nats.url, '--creds', creds], data, ...rest));
  async function inventory(...rest: string[]): Promise<InventoryJson> {
    const r = await glasspane([
      'inventory',
      '--nats',
      nats.url,
      '--creds',
      files.console!,
      '--format',
      'json',
      ...rest,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as InventoryJson;
  }
  const messages = (site: string) => siteMessages(admin, site);

  test('a sensor with a valid creds file publishes; inventory --creds reads back every device', async () => {
    const r = await sensor(files.sensor!, 'a', 's1', '--read', C);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await messages('a')) > 0);
    const want = await analysed(C);
    assert.ok(want.size >= 2);
    const inv = await inventory();
    assert.deepEqual(bySite(inv, 'a'), want);
    assert.equal(inv.devices.length, want.size);
    assert.ok(inv.devices.every((d) => d.sensors?.join() === 's1'));
  });

  test('a user of an account the server does not know is refused as a wrong password is: one line, exit 2, nothing published', async () => {
    const r = await sensor(files.stranger!, 'x', 's1', '--read', C);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `glasspane: the NATS server at ${nats.url} refused these credentials (Authorization Violation): check --user and --password-file, --creds or --nkey-seed\n`,
    );
    assert.equal(await messages('x'), -1, 'no stream, no message');
    const inv = await glasspane(['inventory', '--nats', nats.url, '--creds', files.stranger!]);
    assert.equal(inv.code, 2);
    assert.match(
      inv.stderr,
      /^glasspane: the NATS server at .* refused these credentials \(Authorization Violation\)/,
    );
  });

  test('a user allowed to publish on glasspane.a.> only: site a goes in, site b is refused and nothing stored', async () => {
    const before = await messages('a');
    const ok = await sensor(files['site-a']!, 'a', 's2', '--read', B);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok((await messages('a')) > before);
    const inv = await inventory('--site', 'a');
    assert.deepEqual(bySite(inv, 'a'), await analysed(C, B));

    const r = await sensor(files['site-a']!, 'b', 's1', '--read', C, '--wait', '3s');
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /the broker refuses this sensor's messages \(.*[Pp]ermissions [Vv]iolation.*\): is stream GLASSPANE_b there, and may this account publish on glasspane\.b\.s1\.>\?/,
    );
    assert.equal(await messages('b'), -1, 'no stream, no message');
  });

  test('an unreadable or malformed creds file: one line that says what to do, exit 2', async () => {
    const missing = join(dir, 'missing.creds');
    const aDir = join(dir, 'a-directory');
    mkdirSync(aDir);
    const junk = join(dir, 'junk.creds');
    writeFileSync(junk, 'not a creds file\n');
    const noSeed = join(dir, 'no-seed.creds');
    writeFileSync(
      noSeed,
      userCreds(new NatsOperator().account('x'), 'u').replace(/\*+ IMPORTANT[\s\S]*$/, ''),
    );
    const seedOnly = join(dir, 'seed-only.creds');
    writeFileSync(
      seedOnly,
      userCreds(new NatsOperator().account('x'), 'u').replace(/^[\s\S]*(-----BEGIN USER)/, '$1'),
    );
    const cases: [string, RegExp][] = [
      [missing, /cannot read --creds .*missing\.creds: no such file: give the user's \.creds file/],
      [aDir, /cannot read --creds .*a-directory: it is a directory: give the user's \.creds file/],
      [
        junk,
        /--creds .*junk\.creds is not a NATS creds file \(no user JWT block\): give the user's \.creds file/,
      ],
      [noSeed, /--creds .*no-seed\.creds is not a NATS creds file \(no user nkey seed block \(SU\.\.\.\)\)/],
      [seedOnly, /--creds .*seed-only\.creds is not a NATS creds file \(no user JWT block\)/],
    ];
    for (const [file, want] of cases) {
      for (const args of [
        ['sensor', '--site', 'y', '--nats', nats.url, '--creds', file, '--data-dir', data, '--read', C],
        ['inventory', '--nats', nats.url, '--creds', file],
      ]) {
        const r = await glasspane(args);
        assert.equal(r.code, 2, `${args[0]} ${file}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^glasspane: ${want.source}.*\\n$`));
        assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      }
    }
    assert.equal(await messages('y'), -1);
  });
});
