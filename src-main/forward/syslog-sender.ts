import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { octetCounted } from '../../shared/forward/syslog5424';
import type { SyslogDestination } from './destination';

/** What a destination did with what it was given: the state `glasspane forward status` will show. */
export interface DeliveryStats {
  queued: number;
  sent: number;
  failed: number;
  /** Dropped because the queue was full (the oldest go first). */
  dropped: number;
  lastError: string | null;
}

export interface SenderOptions {
  /** Messages held in memory at most; beyond, the oldest are dropped and counted. */
  maxQueue?: number;
  /** Connection attempt timeout, ms. */
  connectTimeoutMs?: number;
}

/** A UDP datagram carries at most this much syslog; longer messages are cut (RFC 5426 allows it). */
const MAX_DATAGRAM = 8192;

/**
 * Sends RFC 5424 messages to one syslog receiver: UDP datagrams, or octet-counted frames (RFC 6587)
 * over TCP or TLS (RFC 5425). Messages wait in a bounded in-memory queue; `flush` delivers them in
 * order, reconnecting with backoff until its deadline, and counts what could not be delivered. It
 * never throws: a dead receiver costs a warning, not the analysis.
 */
export class SyslogSender {
  readonly stats: DeliveryStats = { queued: 0, sent: 0, failed: 0, dropped: 0, lastError: null };
  private queue: Uint8Array[] = [];
  private readonly maxQueue: number;
  private readonly connectTimeoutMs: number;
  private readonly enc = new TextEncoder();

  constructor(
    readonly dest: SyslogDestination,
    o: SenderOptions = {},
  ) {
    this.maxQueue = o.maxQueue ?? 100_000;
    this.connectTimeoutMs = o.connectTimeoutMs ?? 2000;
  }

  push(message: string): void {
    let bytes = this.enc.encode(message);
    if (this.dest.transport === 'udp' && bytes.length > MAX_DATAGRAM) bytes = bytes.subarray(0, MAX_DATAGRAM);
    this.queue.push(bytes);
    if (this.queue.length > this.maxQueue) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.stats.queued = this.queue.length;
  }

  /** Deliver everything queued, trying until `deadline` (epoch ms); what is left then counts as failed. */
  async flush(deadline: number): Promise<DeliveryStats> {
    let backoff = 200;
    while (this.queue.length > 0) {
      try {
        if (this.dest.transport === 'udp') await this.sendUdp();
        else await this.sendStream(deadline);
      } catch (e) {
        this.stats.lastError = describe(e);
        if (Date.now() + backoff >= deadline) break;
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
    this.stats.failed += this.queue.length;
    this.queue = [];
    this.stats.queued = 0;
    return this.stats;
  }

  private async sendUdp(): Promise<void> {
    const sock = createSocket(isIPv6(this.dest.host) ? 'udp6' : 'udp4');
    sock.on('error', () => {});
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.connect(this.dest.port, this.dest.host, () => resolve());
      });
      while (this.queue.length > 0) {
        await new Promise<void>((resolve, reject) =>
          sock.send(this.queue[0]!, (e) => (e ? reject(e) : resolve())),
        );
        this.queue.shift();
        this.stats.sent++;
      }
    } finally {
      sock.close();
    }
  }

  /** One connection: write every queued frame, close, and count them sent once the close is clean. */
  private async sendStream(deadline: number): Promise<void> {
    const sock = await this.open(Math.min(this.connectTimeoutMs, Math.max(1, deadline - Date.now())));
    const n = this.queue.length;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        // A receiver that reads too slowly must not hold the command past its deadline.
        timer = setTimeout(
          () => reject(new Error('the receiver did not take the messages in time')),
          Math.max(1, deadline - Date.now()),
        );
        sock.once('error', reject);
        sock.once('close', (hadError) => (hadError ? reject(new Error('connection lost')) : resolve()));
        for (let i = 0; i < n; i++) sock.write(octetCounted(this.queue[i]!));
        sock.end();
      });
    } finally {
      clearTimeout(timer);
      sock.destroy();
    }
    this.queue.splice(0, n);
    this.stats.sent += n;
  }

  private open(timeoutMs: number): Promise<Socket> {
    const { host, port } = this.dest;
    return new Promise<Socket>((resolve, reject) => {
      const sock =
        this.dest.transport === 'tls'
          ? tlsConnect({
              host,
              port,
              servername: isIPv6(host) || /^[\d.]+$/.test(host) ? undefined : host,
              ca: this.dest.ca !== undefined ? readFileSync(this.dest.ca) : undefined,
            })
          : tcpConnect({ host, port });
      const ready = this.dest.transport === 'tls' ? 'secureConnect' : 'connect';
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      // Errors after the first (a reset after a broken pipe) must not become uncaught exceptions.
      sock.on('error', () => {});
      sock.once(ready, () => {
        clearTimeout(timer);
        resolve(sock);
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        sock.destroy();
        reject(e);
      });
    });
  }
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ECONNREFUSED')
    return `connection refused (${err.message.replace(/^connect ECONNREFUSED /, '')})`;
  return err.message ?? String(e);
}
