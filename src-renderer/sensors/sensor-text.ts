/**
 * The Sensors view's words and numbers, kept apart from React so they are tested alone: state labels,
 * drop rates, clock offsets, uptimes.
 */
import type { SensorStatus } from '../../shared/ipc/contract';

export const STATE_LABEL: Record<SensorStatus['state'], string> = {
  connected: 'connected',
  disconnected: 'disconnected',
  stopped: 'stopped',
};

/** A fraction as a percentage with enough digits to show small drop rates (0.05 %). */
export function percent(f: number): string {
  const p = f * 100;
  return p === 0 ? '0 %' : p < 0.1 ? `${p.toFixed(3)} %` : p < 10 ? `${p.toFixed(2)} %` : `${p.toFixed(1)} %`;
}

/** Seconds as "3 d 4 h", "2 h 5 min", "4 min 10 s", "12 s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor(s / 3600) % 24;
  const m = Math.floor(s / 60) % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

/** A clock offset with its sign: "+2.5 s" ahead of the console, "-40 s" behind. */
export function offset(ms: number): string {
  const s = ms / 1000;
  const text = Math.abs(s) < 10 ? Math.abs(s).toFixed(1) : String(Math.round(Math.abs(s)));
  return `${s < 0 ? '-' : '+'}${text} s`;
}
