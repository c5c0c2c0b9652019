import { existsSync, readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { EVENT_KINDS, isEventKind, type EventKind } from '../../shared/forward/events';
import { isSeverity, SEVERITIES, type Severity } from '../../shared/alerts/severity';
import { parseHttpDestination, type HttpDestination } from './http-destination';
import { parseDuration } from '../cli/duration';

export const FORWARD_FORMATS = ['cef', 'leef', 'json'] as const;
export type ForwardFormat = (typeof FORWARD_FORMATS)[number];

/** What every destination has: its URI (for messages and status) and its filter. */
export interface DestinationBase {
  /** The URI as given: it names secret files or variables, never holds a secret. */
  uri: string;
  /** Event kinds sent; all by default. */
  kinds: ReadonlySet<EventKind>;
  /** Events below this severity are not sent (device events are `info`). */
  minSeverity: Severity;
  /**
   * `not-seen=30m` (else the command's --not-seen): this destination is told of devices silent for
   * this long (ms); without either it gets no not-seen events.
   */
  notSeenMs?: number;
}

/** One `--forward syslog+...` target: where, how framed, in which format. */
export interface SyslogDestination extends DestinationBase {
  type: 'syslog';
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  format: ForwardFormat;
  /** syslog+tls: the CA file that signs the receiver's certificate (else the system's CAs). */
  ca?: string;
  /** syslog+tls: the client certificate and its key (PEM) for a receiver that requires one. */
  cert?: string;
  key?: string;
}

export type Destination = SyslogDestination | HttpDestination;

/** A `--forward` value a person can fix: the message says how. */
export class ForwardUriError extends Error {}

/** Well-known ports: 514 for syslog over UDP and TCP, 6514 for syslog over TLS (RFC 5425). */
const DEFAULT_PORT = { udp: 514, tcp: 514, tls: 6514 };

const SCHEMES = 'syslog+udp, syslog+tcp, syslog+tls, https (webhook), splunk+https or sentinel';

export function parseForwardUri(uri: string): Destination {
  const bad = (why: string) => new ForwardUriError(`--forward '${uri}': ${why}`);
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw bad('not a URI: use e.g. syslog+tcp://127.0.0.1:514?format=cef');
  }
  if (/^(https?|splunk\+https?|sentinel):$/.test(u.protocol)) return parseHttpDestination(uri, u, bad);
  const m = /^syslog\+(udp|tcp|tls):$/.exec(u.protocol);
  if (m === null) throw bad(`scheme '${u.protocol.replace(/:$/, '')}' is not supported: use ${SCHEMES}`);
  const transport = m[1] as SyslogDestination['transport'];
  if (u.hostname === '') throw bad('no host: use e.g. syslog+tcp://127.0.0.1:514');
  if (u.username !== '' || u.password !== '') throw bad('syslog destinations take no user or password');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = u.port === '' ? DEFAULT_PORT[transport] : Number(u.port);
  if (port < 1 || port > 65535) throw bad(`port ${port} is not between 1 and 65535`);
  const dest: SyslogDestination = {
    type: 'syslog',
    uri,
    transport,
    host,
    port,
    format: 'cef',
    kinds: new Set(EVENT_KINDS),
    minSeverity: 'info',
  };
  const allowed = transport === 'tls' ? ['format', ...FILTERS, 'ca', 'cert', 'key'] : ['format', ...FILTERS];
  for (const [k, v] of u.searchParams) {
    if (!allowed.includes(k)) throw bad(`unknown parameter '${k}': use ${allowed.join(', ')}`);
    if (k === 'format') {
      if (!(FORWARD_FORMATS as readonly string[]).includes(v))
        throw bad(`format '${v}' is not one of ${FORWARD_FORMATS.join(', ')}`);
      dest.format = v as ForwardFormat;
    } else if (!applyFilter(dest, k, v, bad)) {
      const what = k === 'ca' ? 'CA' : k === 'cert' ? 'client certificate' : 'client key';
      if (!existsSync(v)) throw bad(`${what} file '${v}' does not exist`);
      dest[k as 'ca' | 'cert' | 'key'] = v;
    }
  }
  if (dest.cert !== undefined || dest.key !== undefined) checkClientCert(dest, bad);
  return dest;
}

/** The client certificate and key: both given, readable, and a pair, before anything starts. */
function checkClientCert(dest: SyslogDestination, bad: (why: string) => Error): void {
  if (dest.cert === undefined || dest.key === undefined)
    throw bad('cert and key go together: give both (PEM files of the client certificate and its key)');
  try {
    createSecureContext({ cert: readFileSync(dest.cert), key: readFileSync(dest.key) });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw bad(
      `the client certificate ${dest.cert} and key ${dest.key} are not usable (${why}): give a PEM certificate and its own private key`,
    );
  }
}

/** The parameters every scheme takes. */
export const FILTERS = ['kinds', 'min-severity', 'not-seen'];

/** `kinds`, `min-severity` and `not-seen`, shared by every scheme; false when `k` is none of them. */
export function applyFilter(
  dest: { kinds: ReadonlySet<EventKind>; minSeverity: Severity; notSeenMs?: number },
  k: string,
  v: string,
  bad: (why: string) => Error,
): boolean {
  if (k === 'kinds') {
    const kinds = v.split(',').filter((x) => x !== '');
    for (const x of kinds)
      if (!isEventKind(x)) throw bad(`kind '${x}' is not one of ${EVENT_KINDS.join(', ')}`);
    if (kinds.length === 0) throw bad(`kinds is empty: name some of ${EVENT_KINDS.join(', ')}`);
    dest.kinds = new Set(kinds as EventKind[]);
    return true;
  }
  if (k === 'min-severity') {
    if (!isSeverity(v)) throw bad(`min-severity '${v}' is not one of ${SEVERITIES.join(', ')}`);
    dest.minSeverity = v;
    return true;
  }
  if (k === 'not-seen') {
    dest.notSeenMs = positiveDuration(v, (why) => bad(`not-seen ${why}`));
    return true;
  }
  return false;
}

/** A duration above zero ("30m", "1h"), for --not-seen, --snapshot-every and `not-seen=`. */
export function positiveDuration(v: string, bad: (why: string) => Error): number {
  let ms: number;
  try {
    ms = parseDuration(v);
  } catch {
    ms = NaN;
  }
  if (!(ms > 0) || !Number.isFinite(ms))
    throw bad(`'${v}' is not a duration above zero: use e.g. 90s, 30m or 1h`);
  return ms;
}
