import { basename } from 'node:path';
import { createAnalyzer, analyzeFile, UnknownProtocolError } from '../engine/pipeline';
import { CaptureFileError } from '../capture/file-source';
import { formatInventory, jsonChunks, liveSummary } from './format';
import { writableFolder, writeChunks, writeOutput, UsageError } from './output';
import { parseDuration } from './duration';
import { localOrigin } from '../forward/origin';
import type { ForwardFlags } from '../forward/run';
import { count, parseLimits, type LimitFlags } from './limits';
import type { LiveRunOptions } from './analyze-live';
import type { LiveCaptureStats } from '../../shared/model/inventory';
import { loadRules } from '../classify/load';
import { vendorOf } from '../engine/oui';
import type { InventoryLimits } from '../../shared/inventory/limits';

// What only some runs need is imported when they need it: forwarding, OCSF events, live capture,
// threads, partial inventories and alert policies cost every analysis of a file their start-up time
// otherwise (the command line is one bundle, which evaluates every module imported statically).

export interface AnalyzeOptions extends LimitFlags, ForwardFlags {
  format: 'json' | 'csv' | 'table' | 'ocsf';
  out?: string;
  evidence?: boolean;
  progress?: boolean;
  /** Record into a database (true: the default one) and print what it holds. */
  db?: string | boolean;
  /** Alert learning period (capture time) for a database that has none yet. */
  learn?: string;
  /** A YAML file of event kinds -> { severity, text } merged over the default alert policy. */
  alertPolicy?: string;
  /** Layers 2-4 and the inventory only: no application dissectors. */
  layersOnly?: boolean;
  /** Dissectors to run (comma-separated names or groups); every one by default. */
  protocols?: string;
  /** Capture live on these interfaces instead of reading files (repeatable `--iface`). */
  iface?: string[];
  /** BPF capture filter for --iface. */
  filter?: string;
  /** Stop a live capture after this long ("60s")... */
  duration?: string;
  /** ...or after this many packets. */
  packets?: string;
  /** Capture helper options for --iface (tests only). */
  live?: LiveRunOptions['live'];
  /** Glasspane's data folder, where forwarding queues live (default: the per-user one). */
  dataDir?: string;
  /** Also write the partial inventory here (for `glasspane merge`), as --site/--sensor. */
  partialOut?: string;
  site?: string;
  sensor?: string;
  l2domain?: string;
  /** Analysis threads for capture files (default 1; see threadCount). */
  threads?: string;
}

/**
 * How many threads analyse the files: `--threads N` as given, one by default. Threads read files
 * only, into the printed inventory: a recording, a forwarding run, a live capture or a partial to
 * write out need the one analyzer. The output is the same on any number (test/engine/threads.test.ts);
 * one by default because on 2 cores two are slower: one thread already keeps V8's compiler busy on
 * the other core, and a worker is an isolate that compiles the analyzer again (bench-x10: 1.9 s of
 * CPU on one thread, 3.1 s on two; docs/partial-inventories.md, "Why two threads are slower").
 */
function threadCount(o: AnalyzeOptions, single: string | null): number {
  if (o.threads === undefined) return 1;
  const n = count('--threads', o.threads, 4);
  if (n > 1 && single !== null)
    throw new UsageError(
      `--threads ${n} reads capture files into the printed inventory; ${single}: drop --threads`,
    );
  return Math.min(n, 64);
}

/** The live flags checked before anything starts: a mistake costs nothing yet. */
function liveOptions(files: string[], o: AnalyzeOptions): LiveRunOptions | null {
  const ifaces = o.iface ?? [];
  if (ifaces.length === 0) {
    for (const [flag, v] of [
      ['--filter', o.filter],
      ['--duration', o.duration],
      ['--packets', o.packets],
    ] as const)
      if (v !== undefined) throw new UsageError(`${flag} applies to live capture: add --iface IF`);
    if (files.length === 0)
      throw new UsageError('nothing to analyze: give capture files, or --iface IF to capture live');
    return null;
  }
  if (files.length > 0)
    throw new UsageError(
      `--iface captures live and '${files[0]}' is a capture file: analyze one or the other, in two runs`,
    );
  if (o.duration !== undefined && o.packets !== undefined)
    throw new UsageError(
      '--duration and --packets exclude each other: give one limit, or none and stop with Ctrl+C',
    );
  let durationMs: number | undefined;
  if (o.duration !== undefined) {
    durationMs = parseDuration(o.duration);
    if (!(durationMs > 0) || !Number.isFinite(durationMs))
      throw new UsageError(`--duration '${o.duration}' is not a duration above zero: use e.g. 60s or 10m`);
  }
  const packets = o.packets !== undefined ? count('--packets', o.packets, 10000) : undefined;
  // Live progress only on a terminal, or when asked for (--progress): a log file stays quiet.
  const progress = o.progress === true || (o.progress !== false && process.stderr.isTTY === true);
  return {
    interfaces: ifaces,
    filter: o.filter,
    durationMs,
    durationText: o.duration?.trim(),
    packets,
    progress,
    live: o.live,
  };
}

/** `glasspane analyze`: read captures or capture live, print the inventory. Returns the exit code. */
export async function analyzeCommand(files: string[], o: AnalyzeOptions): Promise<number> {
  if (!['json', 'csv', 'table', 'ocsf'].includes(o.format))
    throw new UsageError(`unknown format '${o.format}': use json, csv, table or ocsf`);
  if (o.layersOnly === true && o.protocols !== undefined)
    throw new UsageError(
      '--layers-only and --protocols exclude each other (--layers-only is --protocols none)',
    );
  const forwards = o.forward !== undefined || o.notSeen !== undefined || o.snapshotEvery !== undefined;
  const run = forwards ? await import('../forward/run') : null;
  let fwd: ReturnType<NonNullable<typeof run>['forwardOptions']> = { dests: [], notSeenMs: [] };
  try {
    if (run !== null) fwd = run.forwardOptions(o);
  } catch (e) {
    if (e instanceof (await import('../forward/destination')).ForwardUriError)
      throw new UsageError(e.message);
    throw e;
  }
  const { dests, notSeenMs, snapshotEveryMs } = fwd;
  const limits = parseLimits(o);
  const live = liveOptions(files, o);
  if (o.partialOut === undefined)
    for (const [flag, v] of [
      ['--site', o.site],
      ['--sensor', o.sensor],
      ['--l2domain', o.l2domain],
    ] as const)
      if (v !== undefined)
        throw new UsageError(`${flag} names the source of a partial inventory: add --partial-out FILE`);
  const partial = o.partialOut !== undefined ? (await import('./merge')).partialSource(o) : null;
  const threads = threadCount(
    o,
    live !== null
      ? '--iface analyses live on one thread'
      : o.db !== undefined && o.db !== false
        ? '--db records from one analyzer'
        : dests.length > 0
          ? '--forward sends from one analyzer'
          : o.partialOut !== undefined
            ? "--partial-out writes one analyzer's partial"
            : null,
  );
  // Checked before a live capture starts, so a typo costs no minutes of capture.
  if (o.partialOut === '-')
    throw new UsageError('--partial-out needs a file name: standard output carries the inventory');
  if (o.partialOut !== undefined) writableFolder('--partial-out', o.partialOut);
  let a;
  try {
    a = createAnalyzer({ protocols: o.layersOnly === true ? ['none'] : o.protocols?.split(','), limits });
  } catch (e) {
    if (e instanceof UnknownProtocolError) throw new UsageError(e.message);
    throw e;
  }
  if (threads > 1) return analyzeThreaded(files, o, threads, limits);
  const origin = localOrigin();
  const watch =
    notSeenMs.length > 0 || snapshotEveryMs !== undefined
      ? new (await import('../forward/capture-watch')).CaptureWatch(a, { notSeenMs, snapshotEveryMs }, origin)
      : null;
  if (files.filter((f) => f === '-').length > 1)
    throw new UsageError("'-' (standard input) can be read once: give it a single time");
  if (files.includes('-') && process.stdin.isTTY === true)
    throw new UsageError(
      "'-' reads a capture from standard input, which is a terminal here: pipe one in, e.g. tcpdump -w - | glasspane analyze -",
    );
  const learnMs = o.learn !== undefined ? parseDuration(o.learn) : undefined;
  const recording = o.db !== undefined && o.db !== false;
  if (o.alertPolicy !== undefined && !recording)
    throw new UsageError('--alert-policy tunes the alerts a recording raises: add --db');
  const policy =
    o.alertPolicy !== undefined ? (await import('./alert-policy')).loadAlertPolicy(o.alertPolicy) : undefined;
  // Sending starts now: what an earlier run left queued goes out while this one analyses.
  let forwarding: ReturnType<NonNullable<typeof run>['startForwarding']> = null;
  if (run !== null)
    try {
      forwarding = run.startForwarding(dests, origin, run.dataDir(o.dataDir));
    } catch (e) {
      throw new UsageError(
        `cannot keep the forwarding queues in ${run.dataDir(o.dataDir)} (${(e as Error).message}): give a writable --data-dir`,
      );
    }
  // A failure from here on must not leave the forwarding sender holding the process open.
  try {
    // The store, and the partial-inventory schemas its checkpoints are checked with, cost every
    // analysis start-up time (8 ms of module initialisation in a profile): loaded only for --db.
    const db = recording ? await import('./db') : null;
    const rec =
      db !== null && o.db !== undefined && o.db !== false
        ? db.startRecording(a, db.dbPath(o.db), { learnMs, evidence: o.evidence, policy })
        : null;
    let capture: LiveCaptureStats | undefined;
    let failure: string | null = null;
    if (live !== null) {
      let r;
      try {
        r = await (await import('./analyze-live')).analyzeLive(a, live);
      } catch (e) {
        // Nothing was captured: the database keeps what it held, and is closed cleanly.
        rec?.finish();
        throw e;
      }
      capture = r.capture;
      failure = r.failure;
      for (const w of r.warnings) process.stderr.write(`glasspane: warning: ${w}\n`);
    }
    for (const f of files) {
      const progress = o.progress !== false ? progressPrinter(f) : undefined;
      let r;
      try {
        // Standard input ('-') and FIFOs are read as streams here: the person named them.
        r = await analyzeFile(a, f, { onProgress: progress, streams: true });
      } catch (e) {
        if (e instanceof CaptureFileError) throw new UsageError(e.message);
        throw e;
      } finally {
        progress?.(-1, -1);
      }
      const name = f === '-' ? 'standard input' : basename(f);
      for (const w of r.warnings) process.stderr.write(`glasspane: ${name}: warning: ${w}\n`);
    }
    // A flood is said once per segment, beside the counters in stats.limits (and as an alert with --db).
    for (const f of a.inventory.floods.values())
      process.stderr.write(
        `glasspane: warning: inventory flood on ${f.segment}: ${f.table === 'devices' ? 'MACs' : 'addresses'} past the limit of ${f.limit} are aggregated (see stats.limits; --max-devices raises it)\n`,
      );
    const stored = rec?.finish() ?? null;
    if (partial !== null && o.partialOut !== undefined)
      await writeOutput(
        JSON.stringify(
          (await import('../../shared/engine/analyzer-partial')).analyzerPartial(a, partial.source, partial),
        ) + '\n',
        o.partialOut,
      );
    if (capture !== undefined) {
      // A table printed to the terminal ends with the same line.
      if (o.format !== 'table' || o.out !== undefined)
        process.stderr.write(`glasspane: ${liveSummary(capture)}\n`);
      if (stored !== null) stored.inventory.stats.capture = capture;
    }
    if (failure !== null) process.stderr.write(`glasspane: the capture stopped early: ${failure}\n`);
    // A capture that failed midway still prints what it collected, and says so in the exit code.
    const code = failure !== null ? 1 : 0;
    if (stored !== null)
      process.stderr.write(
        `glasspane: stored in ${db!.dbPath(o.db)}: ${stored.inventory.devices.length} devices, ${stored.alerts.length} new alert(s)\n`,
      );
    // (Forwarding needs the whole snapshot, so it takes the ordinary path below.)
    if (stored === null && o.format === 'json' && dests.length === 0) {
      // Device by device: an inventory of 100k devices is not held as objects and text at once.
      const p = a.snapshotParts({ evidence: o.evidence === true });
      if (capture !== undefined) p.head.stats.capture = capture;
      await writeChunks(
        jsonChunks(p.head, [
          ['devices', p.devices],
          ['edges', p.edges],
        ]),
        o.out,
      );
      return code;
    }
    const inv = stored?.inventory ?? a.snapshot({ evidence: o.evidence === true });
    if (capture !== undefined) inv.stats.capture = capture;
    const alerts = stored?.alerts ?? [];
    // Built once for both the OCSF output and the destinations.
    const ev =
      o.format === 'ocsf' || forwarding !== null ? await import('../../shared/forward/events') : null;
    const events = ev?.buildAnalysisEvents(inv, alerts, origin) ?? null;
    const ocsf = o.format === 'ocsf' ? await import('../../shared/forward/ocsf') : null;
    const text = formatInventory(inv, o.format, () => ocsf!.toOcsfLines(events!, origin));
    await writeOutput(text, o.out);
    // After the output is written: a slow or dead receiver never costs the inventory.
    if (forwarding !== null) {
      // Silences are judged on the capture's clock (its last packet), or the wall clock when live.
      const now = live !== null ? Date.now() : Date.parse(inv.stats.lastSeen ?? '');
      const clocked = watch?.finish(inv, now) ?? [];
      await forwarding.finish(ev!.inCaptureOrder(events!.devices, events!.alerts, clocked));
    }
    return code;
  } catch (e) {
    await forwarding?.abandon();
    throw e;
  }
}

/**
 * The files analysed on `threads` workers and their partials merged: the same inventory, printed the
 * same way. A worker that fails stops the run: what was collected is printed and the exit code is 1.
 */
async function analyzeThreaded(
  files: string[],
  o: AnalyzeOptions,
  threads: number,
  limits: Partial<InventoryLimits>,
): Promise<number> {
  if (files.includes('-') && process.stdin.isTTY === true)
    throw new UsageError(
      "'-' reads a capture from standard input, which is a terminal here: pipe one in, e.g. tcpdump -w - | glasspane analyze -",
    );
  if (files.filter((f) => f === '-').length > 1)
    throw new UsageError("'-' (standard input) can be read once: give it a single time");
  const printers = new Map<string, ReturnType<typeof progressPrinter>>();
  const { analyzeFilesThreaded } = await import('../engine/threads/threaded');
  let r;
  try {
    r = await analyzeFilesThreaded(
      files,
      {
        threads,
        protocols: o.layersOnly === true ? ['none'] : o.protocols?.split(','),
        limits,
        fault: testFault(),
      },
      (f) => {
        const progress = o.progress !== false ? progressPrinter(f) : undefined;
        if (progress !== undefined) printers.set(f, progress);
        return { onProgress: progress, streams: true };
      },
      (f, warnings) => {
        printers.get(f)?.(-1, -1);
        const name = f === '-' ? 'standard input' : basename(f);
        for (const w of warnings) process.stderr.write(`glasspane: ${name}: warning: ${w}\n`);
      },
    );
  } catch (e) {
    if (e instanceof CaptureFileError) throw new UsageError(e.message);
    throw e;
  }
  const { inventoryFromPartial } = await import('../../shared/inventory/partial');
  const inv = inventoryFromPartial(r.partial, {
    rules: loadRules(),
    vendorOf,
    evidence: o.evidence === true,
    ids: 'local',
    local: true,
  });
  inv.stats.sources = r.sources;
  for (const segment of inv.stats.limits?.floods ?? [])
    process.stderr.write(
      `glasspane: warning: inventory flood on ${segment}: identities past the limit are aggregated (see stats.limits; --max-devices raises it)\n`,
    );
  const ev = o.format === 'ocsf' ? await import('../../shared/forward/events') : null;
  const ocsf = o.format === 'ocsf' ? await import('../../shared/forward/ocsf') : null;
  const text = formatInventory(inv, o.format, () =>
    ocsf!.toOcsfLines(ev!.buildAnalysisEvents(inv, [], localOrigin()), localOrigin()),
  );
  await writeOutput(text, o.out);
  if (r.failure === null) return 0;
  process.stderr.write(
    `glasspane: ${r.failure}; the inventory above holds what was analysed until then (run again, or with --threads 1)\n`,
  );
  return 1;
}

/** Tests only: GLASSPANE_TEST_WORKER_FAULT=throw:N or die:N makes the worker given frame N fail there. */
function testFault(): { kind: 'throw' | 'die'; frame: number } | undefined {
  const m = /^(throw|die):(\d+)$/.exec(process.env.GLASSPANE_TEST_WORKER_FAULT ?? '');
  return m === null ? undefined : { kind: m[1] as 'throw' | 'die', frame: Number(m[2]) };
}

/** Progress on standard error for long files: a live line on a terminal, a few lines otherwise. */
function progressPrinter(file: string) {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  let lastPct = -1;
  let lastAt = Date.now();
  const started = Date.now();
  return (read: number, size: number) => {
    if (read < 0) {
      if (shown && tty) process.stderr.write('\n');
      return;
    }
    // Small files finish before anyone needs reassurance.
    if (Date.now() - started < 1000 || size <= 0) return;
    const pct = Math.floor((read / size) * 100);
    if (tty) {
      process.stderr.write(`\rreading ${basename(file)}: ${pct}% of ${(size / 1e6).toFixed(0)} MB`);
      shown = true;
    } else if (pct >= lastPct + 25 || Date.now() - lastAt > 10000) {
      process.stderr.write(`reading ${basename(file)}: ${pct}% of ${(size / 1e6).toFixed(0)} MB\n`);
      lastPct = pct;
      lastAt = Date.now();
    }
  };
}
