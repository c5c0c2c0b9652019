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
export function parseHostHeader(v: string | undefined): { name: string; port: number } | null {
  if (v === undefined || v.length > 300) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(v);
  if (m === null) return null;
  return { name: m[1]!.toLowerCase(), port: m[2] === undefined ? 80 : Number(m[2]) };
}

export interface OriginPolicy {
  /** The port the console listens on. */
  port: number;
  /** True when bound to loopback only: then the Host must name loopback too. */
  loopbackOnly: boolean;
}

/**
 * Whether a request's Host header is one this console answers to. Bound to loopback, only loopback
 * names count: a page on another site whose name was re-pointed at 127.0.0.1 (DNS rebinding) sends
 * its own name and is refused.
 */
export function hostAllowed(host: string | undefined, p: OriginPolicy): boolean {
  const h = parseHostHeader(host);
  if (h === null || h.port !== p.port) return false;
  return p.loopbackOnly ? isLoopbackAddress(h.name) : true;
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
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  return u.protocol === 'http:' && u.host === new URL(`http://${host}`).host;
}
