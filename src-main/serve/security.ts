/**
 * The console's access checks: a random token compared in constant time, the Host header (against
 * DNS rebinding) and the Origin of WebSocket upgrades (against cross-site pages driving the engine).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** 32 random bytes, URL-safe: unguessable, and fine in a query string. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Equal-length digests, so neither the content nor the length of the token leaks through timing. */
export function tokenMatches(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export function isLoopbackAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** Splits a Host header ('127.0.0.1:8080', '[::1]:80') into name and port; null when malformed. */
export function parseHostHeader(
  v: string | undefined,
  defaultPort = 80,
): { name: string; port: number } | null {
  if (v === undefined || v.length > 300) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(v);
  if (m === null) return null;
  return { name: m[1]!.toLowerCase(), port: m[2] === undefined ? defaultPort : Number(m[2]) };
}

/** A name for --allow-host: a DNS name or an IP address as a Host header carries it, no port. */
export function normalizeHostName(v: string): string | null {
  const h = parseHostHeader(v);
  if (h === null || v.includes(':') !== v.startsWith('[')) return null;
  return h.name;
}

export interface OriginPolicy {
  /** The port the console listens on. */
  port: number;
  /** True when bound to loopback only: then the Host may name loopback too. */
  loopbackOnly: boolean;
  /** Names (--allow-host) the Host header may carry besides loopback ones; lower case. */
  allowHosts?: readonly string[];
  /** The scheme pages are served with (https with --tls-cert). */
  scheme?: 'http:' | 'https:';
}

/**
 * Whether a request's Host header is one this console answers to: a name on the allow-list, or,
 * bound to loopback, a loopback name. A page on another site whose name was re-pointed at this
 * address (DNS rebinding) sends its own name and is refused.
 */
export function hostAllowed(host: string | undefined, p: OriginPolicy): boolean {
  const h = parseHostHeader(host, p.scheme === 'https:' ? 443 : 80);
  if (h === null || h.port !== p.port) return false;
  if (p.allowHosts?.includes(h.name) === true) return true;
  return p.loopbackOnly && isLoopbackAddress(h.name);
}

/**
 * Whether a WebSocket upgrade may proceed: browsers always send Origin, and it must be the page this
 * console served (same scheme, host and port as the request's Host). Clients that are not browsers
 * send no Origin; they still need the token.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  p: OriginPolicy,
): boolean {
  if (!hostAllowed(host, p)) return false;
  if (origin === undefined) return true;
  const scheme = p.scheme ?? 'http:';
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  return u.protocol === scheme && u.host === new URL(`${scheme}//${host}`).host;
}
