/**
 * NATS decentralised auth for tests: an operator, accounts and users minted with @nats-io/nkeys as
 * NATS JWT v2 (what `nsc` writes in production), and user creds files in the layout nsc writes.
 * A JWT is base64url(header).base64url(claims).base64url(ed25519 signature of the first two parts).
 */
import { createHash } from 'node:crypto';
import { createAccount, createOperator, createUser, type KeyPair } from '@nats-io/nkeys';

const HEADER = { typ: 'JWT', alg: 'ed25519-nkey' };

const b64url = (b: Uint8Array | string): string => Buffer.from(b).toString('base64url');

/** RFC 4648 base32 without padding, as nats-io/jwt writes the jti. */
function base32(b: Uint8Array): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const x of b) {
    acc = (acc << 8) | x;
    bits += 8;
    while (bits >= 5) {
      out += abc[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += abc[(acc << (5 - bits)) & 31];
  return out;
}

/** A signed JWT whose issuer is `signer` and subject `sub`; `nats` is the type-specific block. */
export function signJwt(signer: KeyPair, sub: string, name: string, nats: Record<string, unknown>): string {
  const iat = Math.floor(Date.now() / 1000);
  const iss = signer.getPublicKey();
  // nats-io/jwt's jti: SHA-512/256 of the standard claims (jti empty) in its field order, base32.
  const standard = JSON.stringify({ jti: '', iat, iss, name, sub });
  const jti = base32(createHash('sha512-256').update(standard).digest());
  const claims = { jti, iat, iss, name, sub, nats };
  const signing = `${b64url(JSON.stringify(HEADER))}.${b64url(JSON.stringify(claims))}`;
  return `${signing}.${b64url(signer.sign(new TextEncoder().encode(signing)))}`;
}

/** Subjects a user may publish to and subscribe to; undefined means anything. */
export interface UserPermissions {
  publish?: string[];
  subscribe?: string[];
}

export interface NatsAccount {
  name: string;
  key: KeyPair;
  jwt: string;
}

const seedOf = (k: KeyPair): string => new TextDecoder().decode(k.getSeed());

/** A creds file's text: the user JWT and its nkey seed, in the blocks nsc writes. */
export function credsText(jwt: string, seed: string): string {
  return `-----BEGIN NATS USER JWT-----
${jwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
${seed}
------END USER NKEY SEED------

*************************************************************
`;
}

/** An operator and the accounts it signs; users are signed by their account. */
export class NatsOperator {
  readonly key = createOperator();
  readonly jwt: string;

  constructor(readonly name = 'test-operator') {
    this.jwt = signJwt(this.key, this.key.getPublicKey(), name, { type: 'operator', version: 2 });
  }

  /** An account signed by this operator; with JetStream, unlimited storage and streams. */
  account(name: string, o: { jetstream?: boolean } = {}): NatsAccount {
    const key = createAccount();
    const js = o.jetstream ? -1 : 0;
    const limits = {
      subs: -1,
      data: -1,
      payload: -1,
      imports: -1,
      exports: -1,
      wildcards: true,
      conn: -1,
      leaf: -1,
      mem_storage: js,
      disk_storage: js,
      streams: js,
      consumer: js,
    };
    const jwt = signJwt(this.key, key.getPublicKey(), name, { limits, type: 'account', version: 2 });
    return { name, key, jwt };
  }
}

/** A user of `account` (signed by it) and the text of its creds file. */
export function userCreds(account: NatsAccount, name: string, perms: UserPermissions = {}): string {
  const user = createUser();
  const allow = (s: string[] | undefined) => (s === undefined ? {} : { allow: s });
  const jwt = signJwt(account.key, user.getPublicKey(), name, {
    pub: allow(perms.publish),
    sub: allow(perms.subscribe),
    subs: -1,
    data: -1,
    payload: -1,
    type: 'user',
    version: 2,
  });
  return credsText(jwt, seedOf(user));
}
