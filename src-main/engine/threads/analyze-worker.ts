/**
 * One analysis thread (issue 19): the share (share.ts) of the frames the reader puts in this worker's
 * ring, as its own source of a partial inventory. Sends what changed about once a second (a delta),
 * so the run keeps what this worker learnt if it dies, and everything at the end of each run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzerPartial } from '../../../shared/engine/analyzer-partial';
import { partialMarker, type PartialMarker } from '../../../shared/inventory/partial';
import { RingReader, type RingFrame } from './frame-ring';
import { mac48 } from '../../../shared/engine/ether-offsets';
import { ShareAnalysis } from './share';
import {
  FLAG_BEGIN_SOURCE,
  FLAG_END_RUN,
  FLAG_HOUSEKEEPING,
  FLAG_ROUTER,
  FLAG_ROUTER_OWNS,
  type WorkerMessage,
  type WorkerSetup,
} from './messages';

const DELTA_EVERY_MS = 1000;

/** What a FLAG_ROUTER(_OWNS) record says, told to the share. */
function routerNews(share: ShareAnalysis, f: RingFrame): void {
  const b = f.data;
  const at = f.start;
  const owned: number[] = [];
  for (let o = at + 6; o + 4 <= f.end; o += 4)
    owned.push((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  const mac = f.end - at >= 6 ? mac48(b, at) : -1;
  share.routerNews(mac, owned, (f.flags & FLAG_ROUTER) !== 0, f.frameNo);
}

function run(setup: WorkerSetup, post: (m: WorkerMessage) => void): void {
  const ring = new RingReader(setup.ring);
  let share: ShareAnalysis | null = null;
  let run = 0;
  try {
    const sh = (share = new ShareAnalysis(setup));
    let mark: PartialMarker | undefined;
    let lastDelta = Date.now();
    const deltaEvery = setup.deltaEveryMs ?? DELTA_EVERY_MS;
    let n = 0;
    for (;;) {
      const f = ring.next(200);
      if (f === null) {
        if (ring.done) break;
        continue;
      }
      const flags = f.flags;
      if ((flags & (FLAG_ROUTER | FLAG_ROUTER_OWNS)) !== 0) routerNews(sh, f);
      else if ((flags & FLAG_BEGIN_SOURCE) !== 0) sh.beginSource();
      else if ((flags & FLAG_HOUSEKEEPING) !== 0) sh.housekeeping(f.ts);
      else if ((flags & FLAG_END_RUN) !== 0) {
        ring.release();
        post({ kind: 'final', run, partial: sh.endRun(true) });
        mark = undefined;
        run++;
        continue;
      } else {
        if (setup.fault?.kind === 'exit' && f.frameNo >= setup.fault.frame) process.exit(3);
        sh.frame(f.data, f.start, f.end, f.linkType, f.ts, f.wireLen, f.iface, f.frameNo, flags);
      }
      ring.release();
      if ((++n & 0xfff) === 0 && Date.now() - lastDelta >= deltaEvery) {
        post({ kind: 'delta', run, partial: analyzerPartial(sh.an, sh.source, { since: mark }) });
        mark = partialMarker(sh.an.inventory);
        lastDelta = Date.now();
      }
    }
  } catch (e) {
    // The reader must not wait for this ring any more; the run fails with this message.
    ring.fail();
    // What it learnt up to here goes with the news, if it can still be written down.
    let partial;
    try {
      partial = share === null ? undefined : analyzerPartial(share.an, share.source);
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
