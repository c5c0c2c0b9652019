/**
 * One share of a capture analysed (issue 19): an analyzer told what the reader decided for the whole
 * capture (SYN verdicts, router news, when to age flows out), in the order the reader decided it. A
 * worker (analyze-worker.ts) runs one over the frames of its ring; the reader (threaded.ts) runs one
 * over the share it keeps, so a machine of N cores runs N threads that analyse, not N + 1.
 */
import { createAnalyzer } from '../pipeline';
import type { Analyzer } from '../../../shared/engine/analyzer';
import { analyzerPartial } from '../../../shared/engine/analyzer-partial';
import type { PartialInventory, PartialSource } from '../../../shared/inventory/partial';
import { isCaptureTime } from '../../../shared/util/time';
import { FLAG_SYN_FRESH, FLAG_SYN_REPEAT, type WorkerSetup } from './messages';

export type ShareSetup = Pick<WorkerSetup, 'index' | 'protocols' | 'limits' | 'fault'>;

export class ShareAnalysis {
  an: Analyzer;
  readonly source: PartialSource;
  /** Router news not told yet, and the frame it is about. */
  private news: (() => void) | null = null;
  private newsFrame = -1;

  constructor(private readonly setup: ShareSetup) {
    this.source = { site: 'local', sensor: 'local', worker: `w${setup.index}` };
    this.an = this.fresh();
  }

  private fresh(): Analyzer {
    // Its inventory leaves as a partial, classified in the merge: no rules to load here.
    const a = createAnalyzer({ protocols: this.setup.protocols, limits: this.setup.limits, classify: false });
    a.autoHousekeeping = false;
    a.beginSource();
    return a;
  }

  /**
   * News is about the frame it precedes: one analysis decides it while it accounts that frame, so
   * the share that has the frame is told then; the others before whatever comes next.
   */
  private settle(frameNo: number): void {
    const news = this.news;
    if (news === null) return;
    this.news = null;
    if (frameNo === this.newsFrame) this.an.beforeAccounting = news;
    else news();
  }

  /** The reader's RouterWatch found this before frame `frame` (Analyzer.routerNews). */
  routerNews(mac: number, owned: readonly number[], decided: boolean, frame: number): void {
    this.settle(-1);
    const an = this.an;
    this.news = () => {
      if (mac >= 0) an.routerNews(mac, owned, decided, frame);
    };
    this.newsFrame = frame;
  }

  beginSource(): void {
    this.settle(-1);
    this.an.beginSource();
  }

  /** Flows idle for long age out at `ts`, where one analysis's would (every 65536 frames of the run). */
  housekeeping(ts: number): void {
    this.settle(-1);
    if (isCaptureTime(ts)) this.an.housekeeping(ts);
  }

  /**
   * One frame of the share, numbered as in the whole capture, with the reader's FLAG_SYN_* verdict.
   * A frame the analyzer cannot take costs a counter, as a dissector's exception does; a 'die' test
   * fault throws.
   */
  frame(
    buf: Uint8Array,
    s: number,
    e: number,
    lt: number,
    ts: number,
    wl: number,
    iface: number,
    frameNo: number,
    flags: number,
  ): void {
    this.settle(frameNo);
    const an = this.an;
    const fault = this.setup.fault;
    if (fault?.kind === 'die' && frameNo === fault.frame) throw new Error(`test fault at frame ${frameNo}`);
    an.nextFrameNumber(frameNo);
    an.synVerdict = (flags & FLAG_SYN_REPEAT) !== 0 ? true : (flags & FLAG_SYN_FRESH) !== 0 ? false : null;
    try {
      if (fault?.kind === 'throw' && frameNo === fault.frame) throw new Error('test fault');
      an.frame(buf, lt, ts, wl, iface, s, e);
    } catch {
      an.decoder.stats.dissectorErrors++;
    }
    // A frame that failed before its accounting still carries the news it was told.
    const untold = an.beforeAccounting;
    if (untold !== null) {
      an.beforeAccounting = null;
      untold();
    }
  }

  /** The run is over: everything the share knows of it; `next`, a fresh analyzer for another run. */
  endRun(next: boolean): PartialInventory {
    this.settle(-1);
    const p = analyzerPartial(this.an, this.source);
    if (next) this.an = this.fresh();
    return p;
  }
}
