/**
 * The app's own forwarding destinations (the Forwarding settings panel): kept in the data folder
 * (`forwarding.json`, 0600), applied to the running engine at once, one HostForwarding per
 * destination so adding one neither resends to the others nor resets their clocks. Fed by the
 * engine's recorder like `serve --forward`; each queue's state is read from its disk queue, the
 * numbers `glasspane forward status` prints.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Origin } from '../../shared/forward/events';
import type { ForwardingState } from '../../shared/ipc/forwarding-schema';
import type { DeviceJson } from '../../shared/model/inventory';
import type { AlertJson } from '../../shared/model/alert';
import type { Recorded } from '../store/recorder';
import { ForwardUriError, parseForwardUri } from './destination';
import { DiskQueue } from './disk-queue';
import { queueDir } from './forwarder';
import { startHostForwarding, type HostForwarding, type MergedForwarding } from './host-forwarding';

export const SETTINGS_FILE = 'forwarding.json';

export interface ForwardSettingsOptions {
  dataDir: string;
  origin: Origin;
  /** Whether the engine's run is live (silences and snapshots on the wall clock). */
  live: () => boolean;
  /** The run's devices now: a destination added mid-run is told of each (discovered). */
  devices: () => DeviceJson[];
  /** Each change of the queues' state (checked once a second). */
  emit: (state: ForwardingState) => void;
  log: (message: string) => void;
  /** How often the queues are looked at and events queued (ms); default 1000. */
  tickMs?: number;
}

/** A person's mistake in the panel: the message says what to do. */
export class ForwardSettingError extends Error {}

interface Kept {
  uri: string;
  forwarding: HostForwarding;
}

export class ForwardSettings implements MergedForwarding {
  private readonly kept: Kept[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private last = '';

  constructor(private readonly o: ForwardSettingsOptions) {
    for (const uri of this.read()) {
      try {
        this.kept.push({ uri, forwarding: this.start(uri) });
      } catch (e) {
        o.log(`forwarding: ${SETTINGS_FILE}: ${uri}: ${(e as Error).message}; skipped`);
      }
    }
    this.timer = setInterval(() => this.publish(), o.tickMs ?? 1000);
    this.timer.unref?.();
  }

  private get file(): string {
    return join(this.o.dataDir, SETTINGS_FILE);
  }

  private read(): string[] {
    if (!existsSync(this.file)) return [];
    try {
      const v = JSON.parse(readFileSync(this.file, 'utf8')) as { destinations?: { uri?: unknown }[] };
      return (v.destinations ?? []).flatMap((d) => (typeof d.uri === 'string' ? [d.uri] : []));
    } catch (e) {
      this.o.log(`forwarding: cannot read ${this.file} (${(e as Error).message}); no destinations`);
      return [];
    }
  }

  private save(): void {
    mkdirSync(this.o.dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    writeFileSync(
      tmp,
      JSON.stringify({ destinations: this.kept.map((k) => ({ uri: k.uri })) }, null, 2) + '\n',
      {
        mode: 0o600,
      },
    );
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }

  private start(uri: string): HostForwarding {
    const d = parseForwardUri(uri);
    return startHostForwarding({
      dests: [d],
      notSeenMs: d.notSeenMs !== undefined ? [d.notSeenMs] : [],
      origin: this.o.origin,
      dataDir: this.o.dataDir,
      live: this.o.live,
      tickMs: this.o.tickMs,
      log: this.o.log,
    });
  }

  /** The URI with the panel's filter in its own parameters (which the URI may also carry). */
  private static withFilter(uri: string, kinds?: string[], minSeverity?: string): string {
    try {
      new URL(uri.trim());
    } catch {
      throw new ForwardSettingError(
        'the destination is not a URI: use e.g. syslog+tcp://siem.example:514?format=cef',
      );
    }
    const extra = [
      ...(kinds !== undefined ? [`kinds=${kinds.join(',')}`] : []),
      ...(minSeverity !== undefined ? [`min-severity=${minSeverity}`] : []),
    ];
    const given = uri.trim();
    if (extra.length === 0) return given;
    // Written as a person would type it (URLSearchParams would escape every '/' of a file path).
    const cut = given.indexOf('?');
    const base = cut < 0 ? given : given.slice(0, cut);
    const kept = (cut < 0 ? [] : given.slice(cut + 1).split('&')).filter(
      (p) => p !== '' && !/^(kinds|min-severity)=/.test(p),
    );
    return `${base}?${[...kept, ...extra].join('&')}`;
  }

  add(uri: string, kinds?: string[], minSeverity?: string): ForwardingState {
    const full = ForwardSettings.withFilter(uri, kinds, minSeverity);
    if (this.kept.some((k) => k.uri === full))
      throw new ForwardSettingError(`${full} is already a destination`);
    if (this.kept.length >= 64) throw new ForwardSettingError('64 destinations at most: remove one first');
    let forwarding: HostForwarding;
    try {
      forwarding = this.start(full);
    } catch (e) {
      // Said without the URI, which may hold what it must not (an inline secret is never shown back).
      if (e instanceof ForwardUriError)
        throw new ForwardSettingError(
          e.message
            .replace(`--forward '${full}': `, '')
            .replace('on the command line would be seen by every user', 'in the URI would be kept and shown'),
        );
      throw e;
    }
    // Added mid-run: the devices the run already holds are discovered for it.
    forwarding.recorded({ delta: { upserts: this.o.devices() }, alerts: [] });
    this.kept.push({ uri: full, forwarding });
    this.save();
    return this.publish(true);
  }

  remove(id: string): ForwardingState {
    const i = this.kept.findIndex((k) => this.idOf(k.uri) === id);
    if (i < 0) throw new ForwardSettingError(`no destination ${id}: it may have been removed already`);
    const [k] = this.kept.splice(i, 1);
    this.save();
    // What is queued stays on disk (glasspane forward status shows it); the sender stops beside us.
    void k!.forwarding.stop().catch((e: unknown) => this.o.log(`forwarding: ${(e as Error).message}`));
    return this.publish(true);
  }

  private idOf(uri: string): string {
    return basename(queueDir(this.o.dataDir, uri));
  }

  state(): ForwardingState {
    return {
      destinations: this.kept.map((k) => {
        const s = DiskQueue.stats(queueDir(this.o.dataDir, k.uri));
        return {
          id: this.idOf(k.uri),
          uri: k.uri,
          queued: s?.queued ?? 0,
          sent: s?.sent ?? 0,
          failed: s?.failed ?? 0,
          dropped: s?.dropped ?? 0,
          lastError: s?.lastError?.slice(0, 1024) ?? null,
          lastErrorAt: s?.lastErrorAt ?? null,
        };
      }),
    };
  }

  /** The state, sent to the UIs when it changed (or always). */
  private publish(always = false): ForwardingState {
    const s = this.state();
    const text = JSON.stringify(s);
    if (always || text !== this.last) {
      this.last = text;
      this.o.emit(s);
    }
    return s;
  }

  newRun(): void {
    for (const k of this.kept) k.forwarding.newRun();
  }

  recorded(r: Pick<Recorded, 'alerts'> & { delta: { upserts: readonly DeviceJson[] } | null }): void {
    for (const k of this.kept) k.forwarding.recorded(r);
  }

  // The sensors' merged console (docs/forwarding.md): told as serve --forward is.
  forwardedBefore(devices: readonly DeviceJson[]): void {
    for (const k of this.kept) k.forwarding.forwardedBefore(devices);
  }

  renamed(from: string, to: string): void {
    for (const k of this.kept) k.forwarding.renamed(from, to);
  }

  alertsOf(list: readonly { alert: AlertJson; device: DeviceJson | null }[]): void {
    for (const k of this.kept) k.forwarding.alertsOf(list);
  }

  flush(): void {
    for (const k of this.kept) k.forwarding.flush();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.kept.map((k) => k.forwarding.stop()));
  }
}
