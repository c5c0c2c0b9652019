/**
 * `glasspane analyze --iface`: a live capture through the capture helper (the app's rights model:
 * only the helper may capture, see src-main/capture/live/README.md), analysed frame by frame as it
 * arrives, until a time or packet limit or a signal. The first SIGINT/SIGTERM stops the capture and
 * lets the caller print what was collected; a second one exits at once.
 */
import type { Analyzer } from '../../shared/engine/analyzer';
import type { LiveCaptureStats, LiveInterfaceStats } from '../../shared/model/inventory';
import { startLiveCapture, type LiveCaptureOptions } from '../capture/live/live-source';
import { kernelDrops, totalDrops, type HelperStats } from '../capture/live/framing';
import { liveErrorText, type LiveError } from '../capture/live/errors';
import { RateMeter } from './rate-meter';
import { UsageError } from './output';

export interface LiveRunOptions {
  interfaces: string[];
  filter?: string;
  /** Stop after this long (ms)... */
  durationMs?: number;
  /** ...as the person wrote it ("10m"), for the start line. */
  durationText?: string;
  /** Stop after analysing this many frames. */
  packets?: number;
  /** Progress lines on standard error, once a second. */
  progress: boolean;
  /** Capture helper options (tests only: a network namespace, a given helper). */
  live?: Partial<LiveCaptureOptions>;
  /** Called once the interfaces are open, with the run's counters and a way to stop it (the sensor's health). */
  onStarted?: (probe: LiveProbe) => void;
}

/** A running capture as its host sees it: frames analysed, the helper's counters, stop. */
export interface LiveProbe {
  analysed(): number;
  stats(): HelperStats | null;
  stop(): void;
}

export interface LiveRunResult {
  capture: LiveCaptureStats;
  /** Unread link types and the like, for standard error. */
  warnings: string[];
  /** The failure that ended the capture early (what was collected is still printed), or null. */
  failure: string | null;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Live errors a person can fix (rights, names, filters, libpcap): exit 2 as for any bad input. */
const USAGE_CODES = new Set<LiveError['code']>([
  'permission-denied',
  'pseudo-device',
  'duplicate-interface',
  'no-such-interface',
  'capture-unavailable',
  'bad-filter',
  'open-failed',
]);

function perInterface(names: string[], s: HelperStats | null): LiveInterfaceStats[] {
  return names.map((name, index) => {
    const i = s?.interfaces.find((x) => x.index === index);
    return {
      name,
      received: i?.packets ?? 0,
      kernelDrops: i !== undefined ? kernelDrops(i) : 0,
      queueDrops: i?.queueDrops ?? 0,
    };
  });
}

export async function analyzeLive(a: Analyzer, o: LiveRunOptions): Promise<LiveRunResult> {
  const meter = new RateMeter();
  let analysed = 0;
  let stoppedBy: LiveCaptureStats['stoppedBy'] | null = null;
  let failure: LiveError | null = null;
  let signalled = false;
  const limit = o.packets ?? Infinity;

  a.beginSource();
  const cap = startLiveCapture(
    { ...o.live, interfaces: o.interfaces, filter: o.filter ?? '' },
    (buf, lt, ts, wl, iface) => {
      // Frames still in flight after the limit are received, not analysed: the count is exact.
      if (analysed >= limit) return;
      analysed++;
      meter.add(ts);
      a.frame(buf, lt, ts, wl, iface);
      if (analysed >= limit) stop('packets');
    },
    (s) => {
      // After a signal the helper may stop on its own (Ctrl+C reaches its process group too).
      if (s.kind === 'error' && !signalled) {
        failure ??= s.error;
        stop('error');
      }
    },
  );
  function stop(why: LiveCaptureStats['stoppedBy']): void {
    if (stoppedBy !== null) return;
    stoppedBy = why;
    void cap.stop();
  }

  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled || stoppedBy !== null) {
      // The second signal: the person wants out now. A --db run has committed all but the last moment.
      process.stderr.write(`glasspane: ${sig} again: exiting without printing\n`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    signalled = true;
    process.stderr.write(`\nglasspane: ${sig}: stopping the capture (again to exit at once)\n`);
    stop('signal');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const began = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  try {
    const r = await cap.started;
    if (!r.ok) {
      if (signalled) stoppedBy = 'signal';
      else if (USAGE_CODES.has(r.error.code)) throw new UsageError(liveErrorText(r.error));
      else throw new Error(liveErrorText(r.error));
    }
    if (r.ok && stoppedBy === null) {
      const until = [
        o.durationMs !== undefined ? (o.durationText ?? `${o.durationMs / 1000} s`) : null,
        o.packets !== undefined ? `${o.packets} packets` : null,
        'Ctrl+C',
      ].filter((x) => x !== null);
      process.stderr.write(
        `glasspane: capturing on ${o.interfaces.join(', ')}${o.filter ? ` (filter ${o.filter})` : ''} until ${until.join(' or ')}\n`,
      );
      if (o.durationMs !== undefined) {
        // setTimeout fires at once past 2^31 - 1 ms (24.8 days): a longer run re-arms.
        const end = began + o.durationMs;
        const arm = () => {
          const left = end - Date.now();
          timer = left > 0 ? setTimeout(arm, Math.min(left, MAX_TIMER_MS)) : undefined;
          if (left <= 0) stop('duration');
        };
        arm();
      }
      o.onStarted?.({ analysed: () => analysed, stats: () => cap.stats, stop: () => stop('signal') });
      if (o.progress)
        ticker = progressTicker(
          a,
          () => analysed,
          () => cap.stats,
          began,
        );
    }
    await cap.exited;
    if (ticker !== undefined) {
      clearInterval(ticker);
      if (process.stderr.isTTY === true) process.stderr.write('\n');
    }
    const ifs = perInterface(o.interfaces, cap.stats);
    const sum = (f: (i: LiveInterfaceStats) => number) => ifs.reduce((n, i) => n + f(i), 0);
    const capture: LiveCaptureStats = {
      interfaces: ifs,
      filter: o.filter ?? '',
      durationMs: Date.now() - began,
      stoppedBy: stoppedBy ?? (failure !== null ? 'error' : 'signal'),
      // The helper's count can trail by frames it had not reported yet when it was killed.
      received: Math.max(
        sum((i) => i.received),
        analysed,
      ),
      analysed,
      kernelDrops: sum((i) => i.kernelDrops),
      queueDrops: sum((i) => i.queueDrops),
      peakRate: meter.peak,
    };
    // One warning per link type not read, with how many frames it cost (as for files).
    const warnings = a.endSource({
      path: `live:${o.interfaces.join(',')}`,
      format: 'live',
      frames: analysed,
      warnings: [],
    });
    return { capture, warnings, failure: failure !== null ? liveErrorText(failure) : null };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (ticker !== undefined) clearInterval(ticker);
    await cap.stop();
    // From here a signal ends the process as it would without us (printing is nearly done).
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Once a second: packets, rate over the last second, drops so far, devices. */
function progressTicker(
  a: Analyzer,
  analysed: () => number,
  stats: () => HelperStats | null,
  began: number,
): NodeJS.Timeout {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let lastAt = began;
  const t = setInterval(() => {
    const now = Date.now();
    const n = analysed();
    const rate = Math.round(((n - last) * 1000) / Math.max(1, now - lastAt));
    last = n;
    lastAt = now;
    const s = stats();
    const drops = s !== null ? totalDrops(s) : 0;
    const line = `${n} packets, ${rate} packets/s, ${drops} dropped, ${a.inventory.size} devices`;
    process.stderr.write(tty ? `\r${line}\u001b[K` : `${line}\n`);
  }, 1000);
  t.unref();
  return t;
}
