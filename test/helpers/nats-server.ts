/**
 * A real nats-server (Debian's, 2.9) for tests: loopback only, a free port, JetStream on a temporary
 * store, and users with passwords or operator mode (JWT accounts, see nats-jwt.ts). It can be
 * stopped and started again on the same port and store, as a broker outage is. Tests skip cleanly
 * where nats-server is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why nats-server cannot run here, or null. */
export function natsUnavailable(): string | null {
  const r = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  return r.error !== undefined || r.status !== 0 ? 'needs nats-server (apt-get install nats-server)' : null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface NatsUser {
  user: string;
  password: string;
  /** Subjects it may publish to and subscribe to (default: everything). */
  publish?: string[];
  subscribe?: string[];
}

export class TestNats {
  readonly dir: string;
  port = 0;
  private proc: ChildProcess | null = null;
  log = '';

  constructor(
    private readonly users: NatsUser[],
    /**
     * TLS with this certificate, users who log in with an nkey (their public keys), or operator
     * mode: the operator's JWT and the account JWTs by public key, preloaded (no account server).
     */
    private readonly o: {
      tls?: { cert: string; key: string };
      nkeys?: string[];
      operator?: { jwt: string; accounts: Record<string, string>; systemAccount: string };
    } = {},
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'gp-nats-'));
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** A file holding a user's password, as --password-file takes it. */
  passwordFile(user: string, password?: string): string {
    const f = join(this.dir, `${user}.password`);
    writeFileSync(f, (password ?? this.users.find((u) => u.user === user)!.password) + '\n', { mode: 0o600 });
    return f;
  }

  private config(): string {
    const perm = (u: NatsUser) =>
      u.publish === undefined && u.subscribe === undefined
        ? ''
        : `, permissions: { publish: ${JSON.stringify(u.publish ?? [])}, subscribe: ${JSON.stringify(u.subscribe ?? [])} }`;
    const users = [
      ...this.users.map(
        (u) => `    { user: ${JSON.stringify(u.user)}, password: ${JSON.stringify(u.password)}${perm(u)} }`,
      ),
      ...(this.o.nkeys ?? []).map((k) => `    { nkey: ${JSON.stringify(k)} }`),
    ].join('\n');
    const tls =
      this.o.tls !== undefined
        ? `tls { cert_file: ${JSON.stringify(this.o.tls.cert)}, key_file: ${JSON.stringify(this.o.tls.key)} }\n`
        : '';
    const op = this.o.operator;
    // Operator mode takes no users from the file: the accounts' JWTs say who may log in.
    const auth =
      op !== undefined
        ? `operator: ${JSON.stringify(op.jwt)}
system_account: ${JSON.stringify(op.systemAccount)}
resolver: MEMORY
resolver_preload: {
${Object.entries(op.accounts)
  .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
  .join('\n')}
}
`
        : `authorization {
  users = [
${users}
  ]
}
`;
    return `listen: "127.0.0.1:${this.port}"
${tls}jetstream { store_dir: ${JSON.stringify(join(this.dir, 'js'))} }
${auth}`;
  }

  async start(): Promise<this> {
    if (this.port === 0) this.port = await freePort();
    const conf = join(this.dir, 'nats.conf');
    writeFileSync(conf, this.config());
    const p = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = p;
    // This start's own lines: a restart must not take the last one's "ready" for its own.
    let mine = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`nats-server did not start: ${mine}`)), 15_000);
      p.stderr!.on('data', (d: Buffer) => {
        this.log += d.toString();
        mine += d.toString();
        if (mine.includes('Server is ready')) {
          clearTimeout(t);
          resolve();
        }
      });
      p.on('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`nats-server exited (${code}): ${mine}`));
      });
    });
    p.removeAllListeners('exit');
    return this;
  }

  /** Stop the server (the store stays for a restart). */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (p === null || p.exitCode !== null) return;
    const gone = new Promise((r) => p.on('exit', r));
    p.kill('SIGTERM');
    await gone;
  }

  async cleanup(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
