/**
 * The sensors as a sensors' console sees them: each one's last health message, when the broker
 * stored it (last contact, on the broker's clock, which a replay keeps: a late console sees the same
 * contacts as an early one), and how far the sensor's clock is from it.
 *
 * A sensor silent for longer than `silenceMs` is disconnected: ONE `sensor.disconnected` alert,
 * and one `sensor.reconnected` when it speaks again. A gap seen between two health messages (in a
 * replay, or caught late) raises the same pair with the same ids, so every console raises the same
 * alerts. A sensor whose last health message was its last (`final`: it was stopped, or a `--read`
 * run ended) is stopped, not disconnected. A clock off by more than `maxSkewMs` is flagged, with one
 * `sensor.clock-skew` alert per run.
 */
import type { AlertJson } from '../../shared/model/alert';
import type { HealthMessage } from '../../shared/sensor/messages';
import type { SensorEvent } from '../../shared/sensor/events';
import { DEFAULT_POLICY, fill, type AlertPolicy } from '../../shared/alerts/policy';
import type { SensorStatus } from '../../shared/ipc/contract';

export interface SensorBookOptions {
  /** Silence after which a sensor is disconnected, ms (default five minutes). */
  silenceMs?: number;
  /** Clock offset past which a sensor is flagged, ms (default 30 s). */
  maxSkewMs?: number;
  policy?: AlertPolicy;
  /** The console's clock (tests). */
  now?: () => number;
}

interface Entry {
  site: string;
  sensor: string;
  health: HealthMessage;
  /** When the broker stored the last health message, ms. */
  contact: number;
  offsetMs: number;
  /** Since when it is disconnected (the alert's time), or null. */
  down: number | null;
  skewRun: string | null;
}

export const DEFAULT_SILENCE_MS = 5 * 60_000;
export const DEFAULT_MAX_SKEW_MS = 30_000;

const iso = (t: number) => new Date(t).toISOString();

/** A duration for people: 7 s, 5 min 3 s, 2 h 1 min. */
export function spoken(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor(s / 60) % 60 ? ` ${Math.floor(s / 60) % 60} min` : ''}`;
}

export class SensorBook {
  private readonly sensors = new Map<string, Entry>();
  readonly silenceMs: number;
  readonly maxSkewMs: number;
  private readonly policy: AlertPolicy;
  private readonly now: () => number;

  constructor(
    /** Where alerts go (the engine's alert service and store). */
    private readonly raise: (alerts: AlertJson[]) => void,
    o: SensorBookOptions = {},
  ) {
    this.silenceMs = o.silenceMs ?? DEFAULT_SILENCE_MS;
    this.maxSkewMs = o.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    this.policy = o.policy ?? DEFAULT_POLICY;
    this.now = o.now ?? Date.now;
  }

  /** A site's sensors, forgotten (its stream was replaced: the new one says who is there). */
  forget(site: string): void {
    for (const [k, e] of this.sensors) if (e.site === site) this.sensors.delete(k);
  }

  /** A health message, stored by the broker at `storedAt` (ms). */
  health(m: HealthMessage, storedAt: number): void {
    const key = `${m.site}/${m.sensor}`;
    const was = this.sensors.get(key);
    // Messages arrive in stream order; an older one (another run's, resent late) changes nothing.
    if (was !== undefined && storedAt < was.contact) return;
    const clock = Date.parse(m.clock);
    const e: Entry = {
      site: m.site,
      sensor: m.sensor,
      health: m,
      contact: storedAt,
      offsetMs: Number.isFinite(clock) ? clock - storedAt : 0,
      down: was?.down ?? null,
      skewRun: was?.skewRun ?? null,
    };
    this.sensors.set(key, e);
    const out: AlertJson[] = [];
    if (was !== undefined && was.health.final !== true && storedAt - was.contact > this.silenceMs) {
      // A gap between two messages: the disconnection, if not raised live, then the return.
      const since = was.contact + this.silenceMs;
      if (was.down === null) out.push(this.alert('disconnected', e, since, was.contact));
      out.push(this.alert('reconnected', e, storedAt, was.contact));
    } else if (was?.down != null) out.push(this.alert('reconnected', e, storedAt, was.contact));
    e.down = null;
    // Judged only on messages sent at once: one that waited in the sensor's outbox (broker down) is
    // late, not skewed.
    if (m.queued === 0 && Math.abs(e.offsetMs) > this.maxSkewMs && e.skewRun !== m.run) {
      e.skewRun = m.run;
      out.push(this.alert('clock-skew', e, storedAt, e.contact));
    }
    if (out.length > 0) this.raise(out);
  }

  /** Sensors silent past the threshold now: disconnected, one alert each. */
  check(): void {
    const now = this.now();
    const out: AlertJson[] = [];
    for (const e of this.sensors.values()) {
      if (e.down !== null || e.health.final === true || now - e.contact <= this.silenceMs) continue;
      e.down = e.contact + this.silenceMs;
      out.push(this.alert('disconnected', e, e.down, e.contact));
    }
    if (out.length > 0) this.raise(out);
  }

  private alert(event: SensorEvent, e: Entry, at: number, lastContact: number): AlertJson {
    const kind = `sensor.${event}` as const;
    const p = this.policy[kind] ?? DEFAULT_POLICY[kind];
    const facts = {
      site: e.site,
      sensor: e.sensor,
      lastContact: iso(lastContact),
      silence: spoken(this.silenceMs),
      silent: spoken(at - lastContact),
      offset: spoken(e.offsetMs),
      allowed: spoken(this.maxSkewMs),
    };
    return {
      // The same event gets the same id on every console, and on a replay.
      id: `${kind}|${e.site}/${e.sensor}|${iso(lastContact)}`,
      at: iso(at),
      severity: p.severity,
      kind,
      deviceId: null,
      message: fill(p.text, facts),
      detail: { site: e.site, sensor: e.sensor, lastContact: iso(lastContact), offsetMs: e.offsetMs },
    };
  }

  list(): SensorStatus[] {
    const now = this.now();
    return [...this.sensors.values()]
      .sort((x, y) => (x.site + '/' + x.sensor < y.site + '/' + y.sensor ? -1 : 1))
      .map((e) => {
        const h = e.health;
        return {
          site: e.site,
          sensor: e.sensor,
          version: h.version,
          mode: h.mode,
          state:
            h.final === true ? 'stopped' : now - e.contact > this.silenceMs ? 'disconnected' : 'connected',
          lastContact: iso(e.contact),
          clockOffsetMs: e.offsetMs,
          skewed: Math.abs(e.offsetMs) > this.maxSkewMs,
          uptimeS: h.uptimeS,
          packets: h.packets,
          drops: h.drops,
          dropRate: h.dropRate,
          packetRate: h.packetRate,
          devices: h.devices,
          queued: h.queued,
          bufferDropped: h.bufferDropped,
        };
      });
  }
}
