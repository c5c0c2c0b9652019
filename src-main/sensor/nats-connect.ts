/**
 * Connecting to NATS as a sensor or a console: the URL and the credentials from files (never from
 * the command line, where `ps` shows them), and the refusals a person can fix turned into one line.
 */
import { readFileSync } from 'node:fs';
import {
  AuthorizationError,
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import { UsageError } from '../cli/output';

export interface NatsFlags {
  nats?: string;
  user?: string;
  passwordFile?: string;
  creds?: string;
  nkeySeed?: string;
  tlsCa?: string;
}

/** The broker cannot be reached (down, wrong host): a sensor buffers, a console says so. */
export class BrokerUnreachable extends Error {}

function readSecret(flag: string, file: string, hint = ''): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (e as Error).message;
    throw new UsageError(`cannot read ${flag} ${file}: ${why}${hint}`);
  }
}

const CREDS_HINT = ": give the user's .creds file (as `nsc generate creds` writes it)";

/**
 * A creds file's text checked before anything connects: the client finds out only at connect time,
 * and its "unable to parse credentials" would look like a broker that does not answer.
 */
function readCreds(file: string): Uint8Array {
  const text = readSecret('--creds', file, CREDS_HINT);
  // nsc's layout: a dashed BEGIN line, the user JWT, a dashed END line; then the same for the seed.
  const lines = text.split('\n').map((l) => l.trim());
  const dashed = (l: string | undefined) => l !== undefined && l.startsWith('---') && l.endsWith('---');
  const blocks = lines.filter((l, i) => dashed(lines[i - 1]) && dashed(lines[i + 1]) && !dashed(l));
  const jwt = blocks.find((b) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(b));
  const seed = blocks.find((b) => /^SU[A-Z2-7]{56}$/.test(b));
  if (jwt === undefined || seed === undefined)
    throw new UsageError(
      `--creds ${file} is not a NATS creds file (${jwt === undefined ? 'no user JWT block' : 'no user nkey seed block (SU...)'})${CREDS_HINT}`,
    );
  // The client wants each block's END line to end its line, which trimming the file may have undone.
  return new TextEncoder().encode(`${text}\n`);
}

/** Connection options from the flags; every mistake in them is a UsageError before anything connects. */
export function natsOptions(o: NatsFlags): NodeConnectionOptions {
  const url = o.nats?.trim() ?? '';
  if (url === '') throw new UsageError('--nats URL is required: e.g. --nats nats://broker.example:4222');
  let u: URL;
  try {
    u = new URL(url.includes('://') ? url : `nats://${url}`);
  } catch {
    throw new UsageError(`--nats '${url}' is not a URL: use e.g. nats://broker.example:4222`);
  }
  if (!['nats:', 'tls:'].includes(u.protocol) || u.hostname === '')
    throw new UsageError(
      `--nats '${url}' is not a nats:// or tls:// URL: use e.g. nats://broker.example:4222`,
    );
  if (u.password !== '')
    throw new UsageError('--nats must not hold a password (the process list shows it): use --password-file');
  const ways = [o.passwordFile !== undefined, o.creds !== undefined, o.nkeySeed !== undefined].filter(
    Boolean,
  );
  if (ways.length > 1)
    throw new UsageError('give one of --user/--password-file, --creds and --nkey-seed, not several');
  if (o.passwordFile !== undefined && (o.user ?? u.username) === '')
    throw new UsageError('--password-file needs --user');
  if (o.user !== undefined && o.passwordFile === undefined)
    throw new UsageError('--user needs --password-file (a password is never given on the command line)');
  const opts: NodeConnectionOptions = {
    servers: `${u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname}:${u.port || '4222'}`,
    name: 'glasspane',
  };
  if (o.passwordFile !== undefined) {
    opts.user = o.user ?? decodeURIComponent(u.username);
    opts.pass = readSecret('--password-file', o.passwordFile);
  }
  if (o.creds !== undefined) opts.authenticator = credsAuthenticator(readCreds(o.creds));
  if (o.nkeySeed !== undefined) {
    const seed = readSecret('--nkey-seed', o.nkeySeed);
    if (!/^SU[A-Z2-7]{56}$/.test(seed))
      throw new UsageError(`--nkey-seed ${o.nkeySeed} does not hold a user nkey seed (one line starting SU)`);
    opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  if (o.tlsCa !== undefined) {
    readSecret('--tls-ca', o.tlsCa);
    opts.tls = { caFile: o.tlsCa };
  } else if (u.protocol === 'tls:') opts.tls = {};
  return opts;
}

/** What a failed connect means to a person: a UsageError for refused credentials or TLS, else BrokerUnreachable. */
export function connectProblem(url: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  if (e instanceof AuthorizationError || /authori[sz]ation|authentication/i.test(msg))
    return new UsageError(
      `the NATS server at ${url} refused these credentials (${msg}): check --user and --password-file, --creds or --nkey-seed`,
    );
  const cause = (e as { cause?: Error }).cause?.message ?? '';
  if (/certificate|self.signed|tls|ssl/i.test(`${msg} ${cause}`))
    return new UsageError(
      `TLS with the NATS server at ${url} failed (${cause || msg}): check --tls-ca and the server's certificate`,
    );
  return new BrokerUnreachable(`cannot reach the NATS server at ${url} (${cause || msg})`);
}

/**
 * Connect once; refused credentials and TLS problems are UsageErrors, anything else
 * BrokerUnreachable. Once connected, the client reconnects on its own for ever.
 */
export async function connectNats(
  o: NatsFlags,
  extra: Partial<NodeConnectionOptions> = {},
): Promise<NatsConnection> {
  const opts = natsOptions(o);
  try {
    return await connect({
      timeout: 5000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      ...opts,
      ...extra,
    });
  } catch (e) {
    throw connectProblem(o.nats ?? '', e);
  }
}
