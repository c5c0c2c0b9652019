/**
 * A capture analysed on several threads (issue 19): this thread reads and frames packets, analyses
 * the share of flows it keeps (share 0) and puts every other frame in the ring of the worker that
 * owns its flow (shared/engine/flow-shard.ts); each worker (analyze-worker.ts) runs an analyzer over
 * its share and sends its partial inventory; the partials merge (shared/inventory/partial.ts) into
 * the inventory of the whole capture. N threads are this one and N - 1 workers: a reader that only
 * read would leave a core's worth of threads fighting over N cores.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Decoder } from '../../../shared/decode/decoder';
import { LAYERS } from '../../../shared/decode/layers';
import { linkTypeLabel } from '../../../shared/decode/linktypes';
import { FlowShards, flowKeyAt, maybeTcpSynAt } from '../../../shared/engine/flow-shard';
import { LinkOffsets } from '../../../shared/engine/link-offsets';
import { SynRepeats } from '../../../shared/engine/syn-repeats';
import { RouterWatch, WATCH_NONE, WATCH_ROUTER } from '../../../shared/engine/router-watch';
import { UdpCopies } from '../../../shared/engine/udp-repeats';
import { REPEAT_WINDOW_MS } from '../../../shared/engine/analyzer';
import { TCP_SYN } from '../../../shared/decode/packet';
import { isCaptureTime } from '../../../shared/util/time';
import { selectProtocols } from '../pipeline';
import type { SourceInfo } from '../../../shared/engine/analyzer';
import { emptyPartial, mergePartials, type PartialInventory } from '../../../shared/inventory/partial';
import { analyzerPartial } from '../../../shared/engine/analyzer-partial';
import type { InventoryLimits } from '../../../shared/inventory/limits';
import { readCaptureFile, type ReadOptions } from '../../capture/file-source';
import { ringBuffer, RingFailedError, RingWriter } from './frame-ring';
import { ShareAnalysis } from './share';
import {
  FLAG_BEGIN_SOURCE,
  FLAG_END_RUN,
  FLAG_HOUSEKEEPING,
  FLAG_ROUTER,
  FLAG_ROUTER_OWNS,
  FLAG_SYN_FRESH,
  FLAG_SYN_REPEAT,
  type WorkerMessage,
  type WorkerSetup,
} from './messages';

/** Per worker: room for a few thousand full-size frames, so a busy worker rarely holds the reader. */
const RING_BYTES = 8 << 20;

export interface PoolOptions {
  /** Threads that analyse: this one and `threads - 1` workers. */
  threads: number;
  protocols?: readonly string[];
  limits?: Partial<InventoryLimits>;
  /** Tests only (messages.ts). */
  fault?: WorkerSetup['fault'];
  deltaEveryMs?: number;
}

export interface ThreadedResult {
  /** Every worker's partial, merged (what a failed worker sent before it stopped included). */
  partial: PartialInventory;
  /** The files as analyzeFile describes them, in order: the inventory's stats.sources. */
  sources: SourceInfo[];
  /** Why the run stopped early (a worker failed): the partial holds what was collected until then. */
  failure: string | null;
}

/**
 * A worker on the bundle's dist/analyze-worker.cjs (beside cli.cjs), through bin/analyze-worker.cjs
 * where it is there (V8's code cache: the bundle compiles in a fraction of the time), else on the
 * TypeScript source through tsx's loader, registered in the worker (tests and the bench run from
 * source).
 */
function startWorker(setup: WorkerSetup): Worker {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, 'analyze-worker.cjs');
  const cached = join(here, '..', 'bin', 'analyze-worker.cjs');
  if (existsSync(built)) return new Worker(existsSync(cached) ? cached : built, { workerData: setup });
  // The ES module flavour of tsx's API: its register() finds its loader relative to itself.
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  );
  const source = pathToFileURL(join(here, 'analyze-worker.ts'));
  return new Worker(
    `import(${JSON.stringify(api.href)}).then((t) => { t.register(); return import(${JSON.stringify(source.href)}); });`,
    { eval: true, workerData: setup },
  );
}

const EMPTY = new Uint8Array(0);

/** Deltas a worker's held at most before they are folded into one (one a second: 8 s of a run). */
const HELD_DELTAS = 8;

/**
 * What a frame this thread analyses weighs in the shares, against a worker's 1: this thread also
 * reads, frames and routes every frame and builds the inventory at the end, so it keeps fewer. On
 * the bench capture with 2 threads, 4 (a fifth of the frames here) gave both threads about the same
 * CPU time (0.9 s each); 1 left the worker idle half the time.
 */
const LOCAL_WEIGHT = 4;

/**
 * Threads that analyse one run after another (a run: files read in order into one inventory): this
 * one (share 0) and workers 1..N-1, worker i on writers[i - 1]. Once a share failed the pool is spent:
 * that run returns what was collected, later runs refuse.
 */
export class AnalysisPool {
  private readonly writers: RingWriter[] = [];
  private readonly workers: Worker[] = [];
  private readonly reads = new Decoder(LAYERS);
  private run = 0;
  private merged = emptyPartial();
  /**
   * Per worker, the deltas of the current run, held until its final partial makes them moot; merged
   * only if it stops without one (then the run keeps what it learnt until its last delta).
   */
  private held: PartialInventory[][] = [];
  /** Workers yet to send the current run's final partial, and who is told when none is left. */
  private waiting = 0;
  private settled: (() => void) | null = null;
  private readonly exited: boolean[] = [];
  failure: string | null = null;
  /** This thread's share of the current run. */
  private local: ShareAnalysis | null = null;
  /** Whether the workers observe SYN signatures (the dissectors chosen include them). */
  private readonly syn: boolean;

  constructor(private readonly o: PoolOptions) {
    this.syn = selectProtocols(o.protocols ?? ['all']).syn;
    for (let i = 1; i < o.threads; i++) {
      const ring = ringBuffer(RING_BYTES);
      this.writers.push(new RingWriter(ring));
      const setup: WorkerSetup = {
        ring,
        index: i,
        protocols: o.protocols,
        limits: o.limits,
        fault: o.fault,
        deltaEveryMs: o.deltaEveryMs,
      };
      const w = startWorker(setup);
      this.workers.push(w);
      this.exited.push(false);
      const stopped = (why: string) => this.stopped(i - 1, why);
      w.on('message', (m: WorkerMessage) => {
        if (m.run !== this.run) return;
        if (m.kind === 'delta') this.hold(i - 1, m.partial);
        else {
          // A worker's final partial holds everything its deltas did: those are let go unmerged.
          if (m.kind === 'failed') this.mergeHeld(i - 1);
          this.held[i - 1] = [];
          if (m.partial !== undefined) this.merged = mergePartials(this.merged, m.partial);
          if (m.kind === 'final') this.arrived();
          else stopped(m.message);
        }
      });
      w.on('error', (e) => stopped(e.message));
      w.on('exit', (code) => stopped(`it exited (code ${code}) before its work was done`));
    }
  }

  /** Worker threads started: one fewer than the threads that analyse. */
  get workerThreads(): number {
    return this.workers.length;
  }

  /** A delta of worker `i`, held; past HELD_DELTAS they are folded into one, so memory stays bounded. */
  private hold(i: number, delta: PartialInventory): void {
    const h = (this.held[i] ??= []);
    h.push(delta);
    if (h.length >= HELD_DELTAS) h.splice(0, h.length, h.reduce(mergePartials));
  }

  private mergeHeld(i: number): void {
    for (const d of this.held[i] ?? []) this.merged = mergePartials(this.merged, d);
    this.held[i] = [];
  }

  /** Worker `i` (on writers[i], share i + 1) stopped. */
  private stopped(i: number, why: string): void {
    if (this.exited[i] === true) return;
    this.exited[i] = true;
    this.mergeHeld(i);
    this.failure ??= `analysis thread ${i + 2} of ${this.o.threads} stopped: ${why}`;
    this.arrived();
  }

  private arrived(): void {
    if (--this.waiting === 0) this.settled?.();
  }

  /**
   * Analyse `files` in order into one inventory. A frame a worker cannot take costs a counter there;
   * a worker that fails stops the reading, and the result holds what every worker collected until
   * then, with `failure` saying which worker stopped and why.
   */
  async analyze(
    files: readonly string[],
    read: (path: string) => ReadOptions = () => ({}),
    onFile?: (path: string, warnings: string[]) => void,
  ): Promise<ThreadedResult> {
    if (this.failure !== null) throw new Error(this.failure);
    const n = this.o.threads;
    const writers = this.writers;
    const sources: SourceInfo[] = [];
    this.merged = emptyPartial();
    this.held = this.writers.map(() => []);
    this.waiting = writers.length;
    const done =
      writers.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.settled = resolve));
    const local = new ShareAnalysis({
      index: 0,
      protocols: this.o.protocols,
      limits: this.o.limits,
      fault: this.o.fault,
    });
    this.local = local;
    let localFailed = false;
    let error: unknown = null;
    let packets = 0;
    // A sender's SYN signature is observed once per window; its SYNs to several peers go to several
    // workers, so this thread, which sees them all, decides (shared/engine/syn-repeats.ts).
    const syns = this.syn ? new SynRepeats(REPEAT_WINDOW_MS) : null;
    const shards = new FlowShards(n, [LOCAL_WEIGHT]);
    // Which MACs route, decided from every frame, for every worker (shared/engine/router-watch.ts).
    const routers = new RouterWatch(LAYERS);
    // A verbatim UDP copy goes where the first went, whose repeat window decides (udp-repeats.ts).
    const copies = new UdpCopies();
    // Where each frame's network layer starts, read once for all of the above.
    const link = new LinkOffsets();
    try {
      for (const path of files) {
        for (const w of writers) w.push(EMPTY, 0, 0, 0, 0, 0, 0, 0, FLAG_BEGIN_SOURCE);
        local.beginSource();
        let frame = 0;
        const unknown = new Map<number, number>();
        const r = await readCaptureFile(
          path,
          {
            records: (buf, s, e, h) => {
              const lt = h.linkType;
              const ts = h.ts;
              const wl = h.wireLen;
              const iface = h.iface;
              // Between chunks the event loop heard of a worker that stopped: read no further.
              if (this.failure !== null) throw new RingFailedError(this.failure);
              frame++;
              if (!this.reads.readsLinkType(lt)) unknown.set(lt, (unknown.get(lt) ?? 0) + 1);
              const { type, net } = link.read(buf, s, e, lt);
              const news = routers.frameAt(buf, s, e, lt, type, net);
              if (news !== WATCH_NONE) this.tellRouter(routers, news, ts, frame);
              const own = n > 1 ? shards.ofKey(flowKeyAt(buf, s, e, lt, type, net)) : 0;
              const to = copies.routeAt(buf, s, e, lt, type, net, own);
              const syn =
                syns !== null && maybeTcpSynAt(buf, e, lt, type, net)
                  ? this.synFlag(syns, buf, s, e, lt, ts, wl, iface, frame)
                  : 0;
              if (to > 0) writers[to - 1]!.push(buf, s, e, lt, ts, wl, iface, frame, syn);
              else
                try {
                  local.frame(buf, s, e, lt, ts, wl, iface, frame, syn);
                } catch (err) {
                  // As a worker that dies: what this share learnt until then stays.
                  localFailed = true;
                  this.failure ??= `analysis thread 1 of ${n} stopped: ${err instanceof Error ? err.message : String(err)}`;
                  throw new RingFailedError(this.failure);
                }
              // Where one analyzer would age its flows out (every 65536 packets of the run), all do.
              if ((++packets & 0xffff) === 0) {
                for (const w of writers) w.push(EMPTY, 0, 0, 0, ts, 0, 0, frame, FLAG_HOUSEKEEPING);
                local.housekeeping(ts);
              }
            },
          },
          read(path),
        );
        // As Analyzer.endSource words them, from what this thread saw of the file.
        for (const [lt, k] of [...unknown].sort((x, y) => x[0] - y[0]))
          r.warnings.push(
            `link type ${linkTypeLabel(lt)} is not read: ${k} frame${k === 1 ? '' : 's'} skipped`,
          );
        const format = r.gzip ? r.format + '.gz' : r.format;
        sources.push({ path, format, frames: r.frames, warnings: [...r.warnings] });
        onFile?.(path, r.warnings);
      }
    } catch (e) {
      if (!(e instanceof RingFailedError)) error = e;
    }
    for (const [i, w] of writers.entries()) {
      if (this.exited[i] === true || w.failed) continue;
      try {
        w.push(EMPTY, 0, 0, 0, 0, 0, 0, 0, FLAG_END_RUN);
        w.flush();
      } catch (e) {
        if (!(e instanceof RingFailedError)) throw e;
        this.stopped(i, e.message);
      }
    }
    // This share's partial merges while the workers finish theirs.
    this.merged = mergePartials(
      this.merged,
      localFailed ? analyzerPartial(local.an, local.source) : local.endRun(false),
    );
    await done;
    this.run++;
    if (error !== null) throw error;
    return { partial: this.merged, sources, failure: this.failure };
  }

  /** Every worker told, before the frame `frame`, what the RouterWatch found in it. */
  private tellRouter(watch: RouterWatch, news: number, ts: number, frame: number): void {
    const b = new Uint8Array(6 + 4 * watch.owned.length);
    const v = new DataView(b.buffer);
    v.setUint16(0, Math.floor(watch.mac / 0x100000000));
    v.setUint32(2, watch.mac >>> 0);
    for (const [i, ip] of watch.owned.entries()) v.setInt32(6 + 4 * i, ip);
    const flag = news === WATCH_ROUTER ? FLAG_ROUTER : FLAG_ROUTER_OWNS;
    for (const w of this.writers) w.push(b, 0, b.length, 0, ts, 0, 0, frame, flag);
    this.local?.routerNews(watch.mac, [...watch.owned], news === WATCH_ROUTER, frame);
  }

  /**
   * FLAG_SYN_* for a frame maybeTcpSyn took for a SYN straight over IP: 0 (the worker decides) when it
   * has no good time or is no SYN after all.
   */
  private synFlag(
    syns: SynRepeats,
    buf: Uint8Array,
    s: number,
    e: number,
    lt: number,
    ts: number,
    wl: number,
    iface: number,
    frame: number,
  ): number {
    if (!isCaptureTime(ts)) return 0;
    const p = this.reads.decode(buf, lt, ts, frame, wl, iface, s, e);
    if ((p.tcpFlags & TCP_SYN) === 0 || p.laterFragment) return 0;
    return syns.repeat(p) ? FLAG_SYN_REPEAT : FLAG_SYN_FRESH;
  }

  /**
   * Every worker told to stop, and gone. A worker leaves on its own once its ring is closed (and
   * writes its code cache first, after a build); one that has not within a second is stopped.
   */
  async close(): Promise<void> {
    for (const w of this.writers) w.close();
    for (let i = 0; i < this.exited.length; i++) this.exited[i] = true;
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => void w.terminate().then(() => resolve()), 1000);
            w.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
  }
}

/** `files` analysed once on a pool of `o.threads` workers (see AnalysisPool.analyze). */
export async function analyzeFilesThreaded(
  files: readonly string[],
  o: PoolOptions,
  read?: (path: string) => ReadOptions,
  onFile?: (path: string, warnings: string[]) => void,
): Promise<ThreadedResult> {
  const pool = new AnalysisPool(o);
  try {
    return await pool.analyze(files, read, onFile);
  } finally {
    await pool.close();
  }
}
