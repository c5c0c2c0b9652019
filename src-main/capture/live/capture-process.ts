/**
 * The capture helper: the only part of Glasspane that needs capture rights (the model is
 * Wireshark's dumpcap). It opens the configured interfaces with cap and streams frames to its parent
 * over stdout in the framing of ./framing.ts, with STATUS, STATS and ERROR records beside them. It
 * decodes nothing. Its twin, the native glasspane-capture (../helper/glasspane-capture.c), does the
 * same job in C with the same framing and is preferred wherever it was built (./helper-path.ts);
 * this one is the fallback.
 *
 *   node --import tsx src-main/capture/live/capture-process.ts '{"interfaces":["eth0"],"filter":"arp"}'
 *   node dist/capture-process.cjs   (config as the first line of stdin instead)
 *
 * It stops (final STATS, then exit 0) on a 'stop' line on stdin, when stdin closes (so it dies with
 * its parent), on SIGTERM/SIGINT/SIGHUP, and when stdout breaks. Exit 2 follows an ERROR record. As
 * an Electron utility process (./helper-relay.ts) it takes 'stop' as a parentPort message instead.
 */
import { loadCap, type CapHandle, type CapModule } from '../../native/cap';
import { BatchWriter } from './batch-writer';
import { capLinkType } from './cap-linktype';
import { interfaceProblem, resolveConfig, type ResolvedConfig } from './config';
import {
  badConfig,
  captureUnavailable,
  classifyOpenError,
  helperFailed,
  interfaceRefused,
  noSuchInterface,
  openFailed,
  badFilter,
  type LiveError,
} from './errors';
import {
  encodeControl,
  REC_ERROR,
  REC_STATS,
  REC_STATUS,
  type HelperStats,
  type HelperStatus,
  type InterfaceStats,
  type OpenedInterface,
} from './framing';
import { describeDevice } from './interfaces';
import { kernelCounters, type KernelCounters } from './sysfs';

/** cap copies at most this many bytes per packet: its fixed snaplen. */
const CAP_SNAPLEN = 65535;
const MAX_CONFIG_LINE = 64 * 1024;
/** How long a stop waits for frames the kernel already counted (see afterHeld). */
const HELD_MS = 10;

interface Open {
  cap: CapHandle;
  info: OpenedInterface;
  stats: InterfaceStats;
  base: KernelCounters | null;
}

// stdout carries the framing: nothing else may write there.
console.log = console.error;
console.info = console.error;

const writer = new BatchWriter(1);
const opened: Open[] = [];
let stopping = false;
let unfiltered = false;
let statsTimer: NodeJS.Timeout | undefined;
/**
 * Wall-clock time at performance.now() == 0, re-read with every stats tick: sub-millisecond
 * timestamps from the monotonic clock that still follow the wall clock when NTP adjusts it.
 */
let epochBase = Date.now() - performance.now();

function status(s: HelperStatus): void {
  writer.control(encodeControl(REC_STATUS, s));
}

async function fatal(e: LiveError): Promise<void> {
  if (stopping) return;
  stopping = true;
  writer.control(encodeControl(REC_ERROR, e));
  closeAll();
  await Promise.race([writer.drain(), delay(2000)]);
  process.exit(2);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

function closeAll(): void {
  if (statsTimer !== undefined) clearInterval(statsTimer);
  for (const o of opened) {
    try {
      o.cap.close();
    } catch {
      // Closing a handle that failed half-way is not worth failing over.
    }
  }
}

/** The interfaces' kernel counters now (null where unread: no baseline, or sysfs had none). */
function countersNow(): (KernelCounters | null)[] {
  return opened.map((o) => (o.base === null ? null : kernelCounters(o.stats.name)));
}

/** Stats of every interface, against the kernel counters read now or, when given, those. */
function snapshot(final: boolean, counters = countersNow()): HelperStats {
  return {
    ts: Date.now(),
    final,
    interfaces: opened.map((o, i) => {
      const now = counters[i] ?? null;
      o.stats.kernel =
        o.base === null || now === null
          ? null
          : {
              rxPackets: now.rxPackets - o.base.rxPackets,
              txPackets: now.txPackets - o.base.txPackets,
              rxDropped: now.rxDropped - o.base.rxDropped,
              rxMissed: now.rxMissed - o.base.rxMissed,
            };
      const k = o.stats.kernel;
      o.stats.missedEstimate =
        k === null || !unfiltered ? null : Math.max(0, k.rxPackets + k.txPackets - o.stats.packets);
      return { ...o.stats };
    }),
  };
}

/**
 * Resolves after a poll phase that starts HELD_MS from now; cap empties each handle's ring in it.
 * The wait covers frames the kernel had counted (an interface's rx counter is raised before the
 * frame passes the softirq that hands it to the capture socket) but not yet put in the ring.
 * A timer fires in the timers phase; the poll phase follows, then the check phase's setImmediate.
 */
function afterHeld(): Promise<void> {
  return new Promise((r) => setTimeout(() => setImmediate(r), HELD_MS));
}

async function stop(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  status({ kind: 'stopping', reason });
  // The frames libpcap's ring holds when the stop comes were captured: they are delivered before
  // the handles close, and the final missed estimate is taken against the kernel's counts of the
  // moment the stop came. Closing at once lost them and counted them as missed (some 20 ms of
  // traffic on a busy link).
  const atStop = countersNow();
  await afterHeld();
  closeAll();
  writer.control(encodeControl(REC_STATS, snapshot(true, atStop)));
  await Promise.race([writer.drain(), delay(2000)]);
  process.exit(0);
}

function openOne(cap: CapModule, cfg: ResolvedConfig, index: number, names: string[]): void {
  const name = cfg.interfaces[index]!;
  const buf = Buffer.alloc(CAP_SNAPLEN);
  const handle = new cap.Cap();
  let ltName: string;
  try {
    ltName = handle.open(name, cfg.filter, cfg.bufferSize, buf);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    let err = classifyOpenError(name, cfg.filter, msg, names, false);
    // cap does not say at which step open() failed. If the same interface opens without the filter,
    // the filter was the problem. (A fresh handle: a closed cap handle never delivers again.)
    if (err.code === 'open-failed' && cfg.filter !== '') {
      const probe = new cap.Cap();
      try {
        probe.open(name, '', cfg.bufferSize, buf);
        probe.close();
        err = badFilter(cfg.filter, msg, name);
      } catch {
        // Not the filter: keep the first answer.
      }
    }
    throw err;
  }
  const linkType = capLinkType(ltName);
  opened.push({
    cap: handle,
    info: { index, name, linkType, linkTypeName: ltName },
    base: kernelCounters(name),
    stats: {
      index,
      name,
      packets: 0,
      bytes: 0,
      queueDrops: 0,
      snapped: 0,
      pcap: null,
      kernel: null,
      missedEstimate: null,
    },
  });
  if (linkType < 0) throw openFailed(name, `unsupported link type (${ltName})`);
  const st = opened[opened.length - 1]!.stats;
  const snaplen = cfg.snaplen;
  handle.on('packet', (nbytes: number) => {
    // cap gives no pcap timestamp: the time the helper saw the packet (immediate mode) stands in.
    const ts = epochBase + performance.now();
    st.packets++;
    st.bytes += nbytes;
    const capLen = nbytes < snaplen ? nbytes : snaplen;
    if (capLen < nbytes) st.snapped++;
    if (!writer.frame(index, linkType, ts, nbytes, buf, capLen)) st.queueDrops++;
  });
}

function start(raw: unknown): void {
  let cfg: ResolvedConfig;
  try {
    cfg = resolveConfig(raw);
  } catch (e) {
    void fatal(badConfig(e instanceof Error ? e.message : String(e)));
    return;
  }
  // The same refusals as the native helper (which is the privileged boundary and checks again).
  const problem = interfaceProblem(cfg, process.getuid?.() === 0);
  if (problem !== null) {
    void fatal(interfaceRefused(problem.code, problem.iface, problem.detail));
    return;
  }
  writer.maxQueueBytes = cfg.maxQueueBytes;
  const c = loadCap();
  if (!c.ok) {
    void fatal(captureUnavailable(c.error.message));
    return;
  }
  let devices;
  try {
    devices = c.cap.Cap.deviceList();
  } catch (e) {
    void fatal(captureUnavailable(`pcap could not list interfaces: ${e instanceof Error ? e.message : e}`));
    return;
  }
  if (cfg.list) {
    status({ kind: 'interfaces', interfaces: devices.map(describeDevice) });
    void writer.drain().then(() => process.exit(0));
    return;
  }
  const names = devices.map((d) => d.name);
  unfiltered = cfg.filter.trim() === '';
  const missing = cfg.interfaces.find((n) => !names.includes(n));
  if (missing !== undefined) {
    void fatal(noSuchInterface(missing, names));
    return;
  }
  try {
    for (let i = 0; i < cfg.interfaces.length; i++) openOne(c.cap, cfg, i, names);
  } catch (e) {
    const err =
      typeof e === 'object' && e !== null && 'code' in e
        ? (e as LiveError)
        : helperFailed(e instanceof Error ? e.message : String(e));
    void fatal(err);
    return;
  }
  status({
    kind: 'started',
    pid: process.pid,
    interfaces: opened.map((o) => o.info),
    filter: cfg.filter,
    snaplen: cfg.snaplen,
  });
  statsTimer = setInterval(() => {
    epochBase = Date.now() - performance.now();
    writer.control(encodeControl(REC_STATS, snapshot(false)));
  }, cfg.statsIntervalMs);
}

/** The part of Electron's process.parentPort used here (this file runs under plain Node too). */
interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
}

/** Reads the config (argv[2] or the first stdin line), then watches stdin for 'stop' and EOF. */
function main(): void {
  process.on('uncaughtException', (e) => void fatal(helperFailed(`internal error: ${e.message}`)));
  process.on('unhandledRejection', (e) => void fatal(helperFailed(`internal error: ${String(e)}`)));
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void stop(sig));
  writer.onBroken = () => {
    // The parent is gone: nobody to report to.
    closeAll();
    process.exit(0);
  };
  const arg = process.argv[2];
  // Forked by Electron's main as a utility process (helper-relay.ts): no stdin, so 'stop' comes as a
  // message, and the process ends with the app's main process.
  const parentPort = (process as { parentPort?: ParentPortLike }).parentPort;
  if (parentPort !== undefined) {
    parentPort.on('message', (e) => {
      if (e.data === 'stop') void stop('stop requested');
    });
    if (arg !== undefined) parseAndStart(arg);
    else void fatal(badConfig('no configuration given'));
    return;
  }
  let pending = arg === undefined;
  if (arg !== undefined) parseAndStart(arg);
  let line = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => {
    line += d;
    if (line.length > MAX_CONFIG_LINE) line = line.slice(-MAX_CONFIG_LINE);
    let nl: number;
    while ((nl = line.indexOf('\n')) >= 0) {
      const l = line.slice(0, nl).trim();
      line = line.slice(nl + 1);
      if (pending) {
        pending = false;
        parseAndStart(l);
      } else if (l === 'stop') void stop('stop requested');
    }
  });
  process.stdin.on('end', () => void stop('stdin closed'));
  process.stdin.on('error', () => void stop('stdin closed'));
}

function parseAndStart(text: string): void {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    void fatal(badConfig('the configuration is not valid JSON'));
    return;
  }
  start(raw);
}

main();
