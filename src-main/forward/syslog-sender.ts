import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { octetCounted } from '../../shared/forward/syslog5424';
import type { SyslogDestination } from './destination';
import { DeliveryError } from './http-client';

/** A UDP datagram carries at most this much syslog; longer messages are cut (RFC 5426 allows it). */
const MAX_DATAGRAM = 8192;

export interface AttemptOptions {
  /** The attempt ends by this time (epoch ms), delivered or not. */
  deadline: number;
  /** Cuts the attempt at once (the command's own deadline). */
  signal?: AbortSignal;
  /** Connection attempt timeout, ms. */
  connectTimeoutMs?: number;
}

/**
 * One delivery attempt of RFC 5424 messages to a syslog receiver: UDP datagrams, or one
 * connection carrying octet-counted frames (RFC 6587) over TCP or TLS (RFC 5425), closed cleanly.
 * Resolves with the number of messages sent; throws a DeliveryError saying why otherwise. There is
 * no retry here: the disk queue's worker owns the one retry policy (backoff, order, deadline).
 */
export async function sendSyslog(
  dest: SyslogDestination,
  messages: string[],
  o: AttemptOptions,
): Promise<number> {
  const enc = new TextEncoder();
  const bytes = messages.map((m) => {
    const b = enc.encode(m);
    return dest.transport === 'udp' && b.length > MAX_DATAGRAM ? b.subarray(0, MAX_DATAGRAM) : b;
  });
  try {
    if (dest.transport === 'udp') return await sendUdp(dest, bytes);
    return await sendStream(dest, bytes, o);
  } catch (e) {
    throw e instanceof DeliveryError ? e : new DeliveryError(describe(e, dest));
  }
}

async function sendUdp(dest: SyslogDestination, msgs: Uint8Array[]): Promise<number> {
  const sock = createSocket(isIPv6(dest.host) ? 'udp6' : 'udp4');
  sock.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.connect(dest.port, dest.host, () => resolve());
    });
    for (const m of msgs)
      await new Promise<void>((resolve, reject) => sock.send(m, (e) => (e ? reject(e) : resolve())));
    return msgs.length;
  } finally {
    sock.close();
  }
}

/** One connection: write every frame, close, and count them sent once the close is clean. */
async function sendStream(dest: SyslogDestination, msgs: Uint8Array[], o: AttemptOptions): Promise<number> {
  const left = () => Math.max(1, o.deadline - Date.now());
  const sock = await open(dest, Math.min(o.connectTimeoutMs ?? 2000, left()), o.signal);
  let onAbort: (() => void) | undefined;
  try {
    if (dest.transport === 'tls' && (sock as TLSSocket).getProtocol() === 'TLSv1.3')
      await settle(sock, Math.min(TLS13_SETTLE_MS, left() / 2));
    await deliverFrames(sock, msgs, left, (r) => {
      onAbort = r;
      o.signal?.addEventListener('abort', r, { once: true });
    });
  } catch (e) {
    // TLS 1.3 checks the client's certificate after our side of the handshake is done: a receiver
    // that refuses it (rsyslog's x509/certvalid) resets the connection without an alert.
    const code = (e as NodeJS.ErrnoException).code;
    if (dest.transport === 'tls' && (code === 'ECONNRESET' || code === 'EPIPE'))
      throw new DeliveryError(
        dest.cert !== undefined
          ? `the receiver reset the connection after the TLS handshake (${code}): it may not trust the client certificate ${dest.cert}; give cert= and key= signed by a CA it trusts`
          : `the receiver reset the connection after the TLS handshake (${code}): it may require a client certificate; give cert=FILE&key=FILE`,
      );
    throw e;
  } finally {
    if (onAbort !== undefined) o.signal?.removeEventListener('abort', onAbort);
    sock.destroy();
  }
  return msgs.length;
}

/**
 * How long a TLS 1.3 connection is given to be refused before anything is written. TLS 1.3 receivers
 * judge the client's certificate after our side of the handshake has ended; one that writes at once
 * can see its frames read and dropped and the connection closed cleanly (no reset), and would count
 * events as delivered that the receiver threw away. A refusal comes within a round trip.
 */
const TLS13_SETTLE_MS = 300;

function settle(sock: Socket, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const off = () => {
      clearTimeout(timer);
      sock.off('error', onError);
      sock.off('close', onClose);
    };
    const onError = (e: Error) => {
      off();
      reject(e);
    };
    const onClose = () => {
      off();
      reject(Object.assign(new Error('the receiver closed the connection'), { code: 'ECONNRESET' }));
    };
    const timer = setTimeout(() => {
      off();
      resolve();
    }, ms);
    sock.once('error', onError);
    sock.once('close', onClose);
  });
}

/** Write every frame and close; resolves once the receiver closed cleanly. */
function deliverFrames(
  sock: Socket,
  msgs: Uint8Array[],
  left: () => number,
  onAbort: (abort: () => void) => void,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise<void>((resolve, reject) => {
    // A receiver that reads too slowly must not hold the attempt past its deadline.
    timer = setTimeout(() => reject(new Error('the receiver did not take the messages in time')), left());
    onAbort(() => reject(new Error('the receiver did not take the messages before the deadline')));
    sock.once('error', reject);
    sock.once('close', (hadError) => (hadError ? reject(new Error('connection lost')) : resolve()));
    for (const m of msgs) sock.write(octetCounted(m));
    sock.end();
  }).finally(() => clearTimeout(timer));
}

function open(dest: SyslogDestination, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  const { host, port } = dest;
  return new Promise<Socket>((resolve, reject) => {
    if (signal?.aborted === true) return reject(new Error('no connection before the deadline'));
    const sock =
      dest.transport === 'tls'
        ? tlsConnect({
            host,
            port,
            servername: isIPv6(host) || /^[\d.]+$/.test(host) ? undefined : host,
            ca: dest.ca !== undefined ? readFileSync(dest.ca) : undefined,
            cert: dest.cert !== undefined ? readFileSync(dest.cert) : undefined,
            key: dest.key !== undefined ? readFileSync(dest.key) : undefined,
          })
        : tcpConnect({ host, port });
    const ready = dest.transport === 'tls' ? 'secureConnect' : 'connect';
    const fail = (e: Error) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      reject(e);
    };
    const onAbort = () => fail(new Error('no connection before the deadline'));
    const timer = setTimeout(() => fail(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    // Errors after the first (a reset after a broken pipe) must not become uncaught exceptions.
    sock.on('error', () => {});
    sock.once(ready, () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(sock);
    });
    sock.once('error', fail);
  });
}

/** OpenSSL's alerts for a client certificate the receiver would not take, as a person reads them. */
const CLIENT_CERT_ALERTS: Record<string, string> = {
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'it does not trust the CA that signed it',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'it calls it a bad certificate',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'access denied',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'it has expired',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'it requires one and none was given',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the handshake failed',
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: 'the certificate does not match its key',
};

function describe(e: unknown, dest: SyslogDestination): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ECONNREFUSED')
    return `connection refused (${err.message.replace(/^connect ECONNREFUSED /, '')})`;
  const why = err.code !== undefined ? CLIENT_CERT_ALERTS[err.code] : undefined;
  if (why !== undefined)
    return dest.cert !== undefined
      ? `the receiver refused the client certificate ${dest.cert} (${why}): give cert= and key= signed by a CA it trusts`
      : `the receiver refused the connection (${why}): it may require a client certificate; give cert=FILE&key=FILE`;
  if (typeof err.code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO/.test(err.code))
    return `the receiver's certificate is not trusted (${err.message}): give ca=FILE with the CA that signed it`;
  return err.message ?? String(e);
}
