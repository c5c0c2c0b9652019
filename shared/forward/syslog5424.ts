/**
 * RFC 5424 syslog framing around any of our bodies (a CEF or LEEF line, or the event as JSON):
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG`. The JSON body is ASCII
 * only (every other character \u-escaped), which is valid MSG-ANY with no BOM needed and parses
 * the same in every SIEM. Octet-counted framing for TCP and TLS (RFC 6587 / RFC 5425) is here too.
 */
import type { Severity } from '../alerts/severity';
import type { ForwardEvent, Origin } from './events';

/** local0: where SIEM collectors conventionally expect security appliances. */
export const DEFAULT_FACILITY = 16;

/** Our severities on the syslog scale (2 critical, 3 error, 4 warning, 5 notice, 6 informational). */
const SYSLOG_SEVERITY: Record<Severity, number> = { info: 6, low: 5, medium: 4, high: 3, critical: 2 };

/** MSGID per event kind (at most 32 printable ASCII characters). */
const MSGID: Record<ForwardEvent['kind'], string> = {
  discovered: 'device-discovered',
  changed: 'device-changed',
  'not-seen': 'device-not-seen',
  alert: 'alert',
  snapshot: 'device-inventory',
};

export interface SyslogOptions {
  facility?: number;
  /** PROCID: our process id where there is one. */
  procId?: number | string;
}

/** One RFC 5424 message (no trailing newline, no framing) with `body` as MSG. */
export function toSyslog(e: ForwardEvent, origin: Origin, body: string, o: SyslogOptions = {}): string {
  const facility = o.facility ?? DEFAULT_FACILITY;
  const pri = facility * 8 + SYSLOG_SEVERITY[e.severity];
  const t = Date.parse(e.time);
  const stamp = Number.isFinite(t) ? new Date(t).toISOString() : '-';
  const host = headerField(origin.sensor ?? origin.host ?? '', 255);
  const procId = o.procId !== undefined ? headerField(String(o.procId), 128) : '-';
  // `origin` is an IANA-registered SD-ID (RFC 5424 7.2): no private enterprise number needed.
  const sd = `[origin software="Glasspane" swVersion="${sdValue(origin.version)}"]`;
  return `<${pri}>1 ${stamp} ${host} glasspane ${procId} ${MSGID[e.kind]} ${sd} ${body.replace(/[\r\n]+/g, ' ')}`;
}

/** The event as a one-line JSON body: ASCII only, so no byte of it can be misread. */
export function toJsonBody(e: ForwardEvent): string {
  return JSON.stringify(e).replace(
    /[\u007f-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** RFC 6587 3.4.1 octet counting: `<length> <message>`, the length in bytes of the UTF-8 message. */
export function octetCounted(msg: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`${msg.length} `);
  const out = new Uint8Array(prefix.length + msg.length);
  out.set(prefix);
  out.set(msg, prefix.length);
  return out;
}

/** HOSTNAME, PROCID: printable US-ASCII without spaces, bounded, `-` when empty. */
function headerField(s: string, max: number): string {
  const v = s.replace(/[^\u0021-\u007e]/g, '_').slice(0, max);
  return v === '' ? '-' : v;
}

/** PARAM-VALUE escapes `"`, `\` and `]` (RFC 5424 6.3.3). */
function sdValue(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f]/g, ' ').replace(/["\\\]]/g, (c) => '\\' + c);
}
