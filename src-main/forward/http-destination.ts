import { existsSync, readFileSync } from 'node:fs';
import { EVENT_KINDS, type EventKind } from '../../shared/forward/events';
import type { Severity } from '../../shared/alerts/severity';
import { applyFilter, FILTERS, type DestinationBase } from './destination';

/** `https://...`: a webhook that takes JSON batches signed with HMAC-SHA256. */
export interface WebhookDestination extends DestinationBase {
  type: 'webhook';
  /** The receiver's URL, our own parameters taken out. */
  url: URL;
  secret: string;
  ca?: string;
}

/** `splunk+https://host:8088`: Splunk's HTTP Event Collector. */
export interface SplunkDestination extends DestinationBase {
  type: 'splunk';
  /** https://host:port (the paths are Splunk's own). */
  base: URL;
  token: string;
  /** Indexer acknowledgement: a batch leaves the queue only once Splunk says it is indexed. */
  ack: boolean;
  index?: string;
  source: string;
  sourcetype: string;
  ca?: string;
}

/** `sentinel://<dce-host>`: Azure Monitor's Logs Ingestion API, which Microsoft Sentinel reads. */
export interface SentinelDestination extends DestinationBase {
  type: 'sentinel';
  /** https://<data collection endpoint host> */
  endpoint: URL;
  dcr: string;
  stream: string;
  tenant: string;
  clientId: string;
  secret: string;
  /** Where tokens come from: https://login.microsoftonline.com unless a test says otherwise. */
  authority: URL;
  ca?: string;
}

export type HttpDestination = WebhookDestination | SplunkDestination | SentinelDestination;

type Bad = (why: string) => Error;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

/** A secret from a file (`*-file`) or the environment (`*-env`): never from the command line. */
function readSecret(params: Map<string, string>, what: 'secret' | 'token', bad: Bad): string {
  const file = params.get(`${what}-file`);
  const env = params.get(`${what}-env`);
  if (params.has(what))
    throw bad(
      `a ${what} on the command line would be seen by every user: use ${what}-file=PATH or ${what}-env=NAME`,
    );
  if (file !== undefined && env !== undefined) throw bad(`give ${what}-file or ${what}-env, not both`);
  let s: string;
  if (file !== undefined) {
    if (!existsSync(file)) throw bad(`${what} file '${file}' does not exist`);
    try {
      s = readFileSync(file, 'utf8');
    } catch (e) {
      throw bad(`${what} file '${file}' cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else if (env !== undefined) {
    s = process.env[env] ?? '';
    if (s === '') throw bad(`environment variable ${env} is not set: it must hold the ${what}`);
  } else throw bad(`no ${what}: add ${what}-file=PATH or ${what}-env=NAME`);
  s = s.trim();
  if (s === '') throw bad(`the ${what} in ${file ?? env} is empty`);
  return s;
}

function https(u: URL, bad: Bad, example: string): 'https:' | 'http:' {
  if (u.hostname === '') throw bad(`no host: use e.g. ${example}`);
  if (u.username !== '' || u.password !== '')
    throw bad('credentials in the URI would be seen by every user: use a secret or token file');
  return u.protocol.endsWith('https:') || u.protocol === 'sentinel:' ? 'https:' : 'http:';
}

export function parseHttpDestination(uri: string, u: URL, bad: Bad): HttpDestination {
  const filter: { kinds: ReadonlySet<EventKind>; minSeverity: Severity; notSeenMs?: number } = {
    kinds: new Set(EVENT_KINDS),
    minSeverity: 'info',
  };
  const params = new Map<string, string>();
  const rest = new URLSearchParams();
  const ours =
    u.protocol === 'https:' || u.protocol === 'http:'
      ? WEBHOOK
      : u.protocol === 'sentinel:'
        ? SENTINEL
        : SPLUNK;
  for (const [k, v] of u.searchParams) {
    if (applyFilter(filter, k, v, bad)) continue;
    if (ours.includes(k) || k === 'secret' || k === 'token') params.set(k, v);
    else if (ours === WEBHOOK)
      rest.append(k, v); // the receiver's own parameters stay on its URL
    else throw bad(`unknown parameter '${k}': use ${[...ours, ...FILTERS].join(', ')}`);
  }
  const ca = params.get('ca');
  if (ca !== undefined && !existsSync(ca)) throw bad(`CA file '${ca}' does not exist`);
  const proto = https(u, bad, 'https://siem.example/hook?secret-file=/etc/glasspane/hook.key');
  if (proto === 'http:' && !LOOPBACK.test(u.hostname))
    throw bad('plain http is allowed only to loopback (127.0.0.1, ::1): use https');
  const base = { uri, ...filter, ...(ca !== undefined ? { ca } : {}) };

  if (ours === WEBHOOK) {
    const url = new URL(u.href);
    url.search = rest.toString();
    return { type: 'webhook', ...base, url, secret: readSecret(params, 'secret', bad) };
  }
  if (ours === SPLUNK) {
    const ack = params.get('ack') ?? '0';
    if (ack !== '0' && ack !== '1') throw bad(`ack '${ack}' is not 0 or 1`);
    const b = new URL(`${proto}//${u.host}`);
    if (b.port === '') b.port = '8088';
    const d: SplunkDestination = {
      type: 'splunk',
      ...base,
      base: b,
      token: readSecret(params, 'token', bad),
      ack: ack === '1',
      source: params.get('source') ?? 'glasspane',
      sourcetype: params.get('sourcetype') ?? 'glasspane:event',
    };
    const index = params.get('index');
    if (index !== undefined) d.index = index;
    return d;
  }
  const need = (k: string, re: RegExp, example: string): string => {
    const v = params.get(k);
    if (v === undefined) throw bad(`no ${k}: add ${k}=${example}`);
    if (!re.test(v)) throw bad(`${k} '${v}' does not look like ${example}`);
    return v;
  };
  const authority = new URL(params.get('authority') ?? 'https://login.microsoftonline.com');
  if (authority.protocol !== 'https:') throw bad('authority must be an https URL');
  return {
    type: 'sentinel',
    ...base,
    endpoint: new URL(`https://${u.host}`),
    dcr: need('dcr', /^dcr-[0-9A-Za-z]+$/, "dcr-0123456789abcdef0123456789abcdef (the rule's immutable id)"),
    stream: need('stream', /^[A-Za-z][\w-]*$/, 'Custom-Glasspane_CL'),
    tenant: need('tenant', /^[\w.-]+$/, 'the directory (tenant) id'),
    clientId: need('client-id', /^[\w.-]+$/, "the app registration's client id"),
    secret: readSecret(params, 'secret', bad),
    authority,
  };
}

const WEBHOOK = ['secret-file', 'secret-env', 'ca'];
const SPLUNK = ['token-file', 'token-env', 'ack', 'index', 'source', 'sourcetype', 'ca'];
const SENTINEL = ['dcr', 'stream', 'tenant', 'client-id', 'secret-file', 'secret-env', 'authority', 'ca'];
