import { basename } from 'node:path';
import { createAnalyzer, analyzeFile, UnknownProtocolError } from '../engine/pipeline';
import { CaptureFileError } from '../capture/file-source';
import { jsonChunks, toCsv, toJson, toTable } from './format';
import { writeChunks, writeOutput, UsageError } from './output';
import { dbPath, parseDuration, startRecording } from './db';
import { toOcsfLines } from '../../shared/forward/ocsf';
import { localOrigin } from '../forward/origin';
import { parseForwardUri, ForwardUriError, type Destination } from '../forward/destination';
import { dataDir, startForwarding } from '../forward/run';
import { analysisEvents } from '../../shared/forward/events';
import { parseLimits, type LimitFlags } from './limits';

export interface AnalyzeOptions extends LimitFlags {
  format: 'json' | 'csv' | 'table' | 'ocsf';
  out?: string;
  evidence?: boolean;
  progress?: boolean;
  /** Record into a database (true: the default one) and print what it holds. */
  db?: string | boolean;
  /** Alert learning period (capture time) for a database that has none yet. */
  learn?: string;
  /** Layers 2-4 and the inventory only: no application dissectors. */
  layersOnly?: boolean;
  /** Dissectors to run (comma-separated names or groups); every one by default. */
  protocols?: string;
  /** Destinations for the events of this analysis (repeatable `--forward URI`). */
  forward?: string[];
  /** Glasspane's data folder, where forwarding queues live (default: the per-user one). */
  dataDir?: string;
}

/** `glasspane analyze`: read captures, print the inventory. Returns the exit code. */
export async function analyzeCommand(files: string[], o: AnalyzeOptions): Promise<number> {
  if (!['json', 'csv', 'table', 'ocsf'].includes(o.format))
    throw new UsageError(`unknown format '${o.format}': use json, csv, table or ocsf`);
  if (o.layersOnly === true && o.protocols !== undefined)
    throw new UsageError(
      '--layers-only and --protocols exclude each other (--layers-only is --protocols none)',
    );
  let dests: Destination[];
  try {
    dests = (o.forward ?? []).map(parseForwardUri);
  } catch (e) {
    if (e instanceof ForwardUriError) throw new UsageError(e.message);
    throw e;
  }
  const limits = parseLimits(o);
  // Sending starts now: what an earlier run left queued goes out while this one analyses.
  const origin = localOrigin();
  let forwarding;
  try {
    forwarding = startForwarding(dests, origin, dataDir(o.dataDir));
  } catch (e) {
    throw new UsageError(
      `cannot keep the forwarding queues in ${dataDir(o.dataDir)} (${(e as Error).message}): give a writable --data-dir`,
    );
  }
  let a;
  try {
    a = createAnalyzer({ protocols: o.layersOnly === true ? ['none'] : o.protocols?.split(','), limits });
  } catch (e) {
    if (e instanceof UnknownProtocolError) throw new UsageError(e.message);
    throw e;
  }
  if (files.filter((f) => f === '-').length > 1)
    throw new UsageError("'-' (standard input) can be read once: give it a single time");
  if (files.includes('-') && process.stdin.isTTY === true)
    throw new UsageError(
      "'-' reads a capture from standard input, which is a terminal here: pipe one in, e.g. tcpdump -w - | glasspane analyze -",
    );
  const learnMs = o.learn !== undefined ? parseDuration(o.learn) : undefined;
  const rec =
    o.db !== undefined && o.db !== false
      ? startRecording(a, dbPath(o.db), { learnMs, evidence: o.evidence })
      : null;
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
  if (stored !== null)
    process.stderr.write(
      `glasspane: stored in ${dbPath(o.db)}: ${stored.inventory.devices.length} devices, ${stored.alerts.length} new alert(s)\n`,
    );
  // (Forwarding needs the whole snapshot, so it takes the ordinary path below.)
  if (stored === null && o.format === 'json' && dests.length === 0) {
    // Device by device: an inventory of 100k devices is not held as objects and text at once.
    const p = a.snapshotParts({ evidence: o.evidence === true });
    await writeChunks(
      jsonChunks(p.head, [
        ['devices', p.devices],
        ['edges', p.edges],
      ]),
      o.out,
    );
    return 0;
  }
  const inv = stored?.inventory ?? a.snapshot({ evidence: o.evidence === true });
  const alerts = stored?.alerts ?? [];
  const text =
    o.format === 'json'
      ? toJson(inv)
      : o.format === 'csv'
        ? toCsv(inv)
        : o.format === 'ocsf'
          ? toOcsfLines(inv, alerts, origin)
          : toTable(inv);
  await writeOutput(text, o.out);
  // After the output is written: a slow or dead receiver never costs the inventory.
  if (forwarding !== null) await forwarding.finish(analysisEvents(inv, alerts, origin));
  return 0;
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
