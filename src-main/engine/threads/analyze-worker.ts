/**
 * One analysis thread (issue 19): an analyzer over the frames the reader puts in this worker's ring,
 * as its own source of a partial inventory. Sends what changed about once a second (a delta), so the
 * run keeps what this worker learnt if it dies, and everything at the end of each run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createAnalyzer } from '../pipeline';
import type { Analyzer } from '../../../shared/engine/analyzer';
import { analyzerPartial } from '../../../shared/engine/analyzer-partial';
import { partialMarker, type PartialMarker, type PartialSource } from '../../../shared/inventory/partial';
import { RingReader, type RingFrame } from './frame-ring';
import { mac48 } from '../../../shared/engine/ether-offsets';
import { isCaptureTime } from '../../../shared/util/time';
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

const DELTA_EVERY_MS = 1000;
/** Records that carry no frame. */
const CONTROL = FLAG_BEGIN_SOURCE | FLAG_END_RUN | FLAG_HOUSEKEEPING | FLAG_ROUTER | FLAG_ROUTER_OWNS;

/** What a FLAG_ROUTER(_OWNS) record says, to be told to the analyzer (Analyzer.routerNews). */
function routerNews(an: Analyzer, f: RingFrame): () => void {
  const b = f.data;
  const at = f.start;
  const owned: number[] = [];
  for (let o = at + 6; o + 4 <= f.end; o += 4)
    owned.push((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  const mac = f.end - at >= 6 ? mac48(b, at) : -1;
  const decided = (f.flags & FLAG_ROUTER) !== 0;
  const frame = f.frameNo;
  return () => {
    if (mac >= 0) an.routerNews(mac, owned, decided, frame);
  };
}

function run(setup: WorkerSetup, post: (m: WorkerMessage) => void): void {
  const ring = new RingReader(setup.ring);
  const source: PartialSource = { site: 'local', sensor: 'local', worker: `w${setup.index}` };
  const fresh = () => {
    const x = createAnalyzer({ protocols: setup.protocols, limits: setup.limits });
    x.autoHousekeeping = false;
    return x;
  };
  let a: Analyzer | null = null;
  let run = 0;
  try {
    let an = (a = fresh());
    let mark: PartialMarker | undefined;
    const fault = setup.fault;
    let lastDelta = Date.now();
    let n = 0;
    let news: (() => void) | null = null;
    let newsFrame = -1;
    an.beginSource();
    for (;;) {
      const f = ring.next(200);
      if (f === null) {
        if (ring.done) break;
        continue;
      }
      const isNews = (f.flags & (FLAG_ROUTER | FLAG_ROUTER_OWNS)) !== 0;
      if (news !== null) {
        // News is about the frame it precedes: one analysis decides it while it accounts that frame,
        // so the worker that has the frame is told then; the others before whatever comes next.
        if (!isNews && f.frameNo === newsFrame && (f.flags & CONTROL) === 0) an.beforeAccounting = news;
        else news();
        news = null;
      }
      if (isNews) {
        news = routerNews(an, f);
        newsFrame = f.frameNo;
        ring.release();
        continue;
      }
      if ((f.flags & FLAG_BEGIN_SOURCE) !== 0) {
        ring.release();
        an.beginSource();
        continue;
      }
      if ((f.flags & FLAG_HOUSEKEEPING) !== 0) {
        ring.release();
        if (isCaptureTime(f.ts)) an.housekeeping(f.ts);
        continue;
      }
      if ((f.flags & FLAG_END_RUN) !== 0) {
        ring.release();
        post({ kind: 'final', run, partial: analyzerPartial(an, source) });
        an = a = fresh();
        an.beginSource();
        mark = undefined;
        run++;
        continue;
      }
      if (fault?.kind === 'die' && f.frameNo === fault.frame)
        throw new Error(`test fault at frame ${f.frameNo}`);
      an.nextFrameNumber(f.frameNo);
      an.synVerdict =
        (f.flags & FLAG_SYN_REPEAT) !== 0 ? true : (f.flags & FLAG_SYN_FRESH) !== 0 ? false : null;
      try {
        if (fault?.kind === 'throw' && f.frameNo === fault.frame) throw new Error('test fault');
        an.frame(f.data, f.linkType, f.ts, f.wireLen, f.iface, f.start, f.end);
      } catch {
        // A frame the analyzer could not take costs a counter, as a dissector's exception does.
        an.decoder.stats.dissectorErrors++;
      }
      // A frame that failed before its accounting still carries the news it was told.
      const untold = an.beforeAccounting;
      if (untold !== null) {
        an.beforeAccounting = null;
        untold();
      }
      ring.release();
      if ((++n & 0xfff) === 0 && Date.now() - lastDelta >= DELTA_EVERY_MS) {
        post({ kind: 'delta', run, partial: analyzerPartial(an, source, { since: mark }) });
        mark = partialMarker(an.inventory);
        lastDelta = Date.now();
      }
    }
  } catch (e) {
    // The reader must not wait for this ring any more; the run fails with this message.
    ring.fail();
    // What it learnt up to here goes with the news, if it can still be written down.
    let partial;
    try {
      partial = a === null ? undefined : analyzerPartial(a, source);
    } catch {
      partial = undefined;
    }
    post({ kind: 'failed', run, message: e instanceof Error ? e.message : String(e), partial });
  }
}

if (parentPort !== null) {
  const port = parentPort;
  run(workerData as WorkerSetup, (m) => port.postMessage(m));
}
