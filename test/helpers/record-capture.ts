/**
 * `analyze --db` of a corpus capture, with commits every `every` frames (a live run commits every
 * 200 ms of wall time, which on a capture file is usually once): the analyzer and the recorder,
 * stopped. `listen` sees each commit.
 */
import { join } from 'node:path';
import { readCaptureFile } from '../../src-main/capture/file-source';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { Recorder, type RecordListener } from '../../src-main/store/recorder';
import type { Store } from '../../src-main/store/store';
import { PCAPS } from './corpus';

export async function recordCapture(
  file: string,
  store: Store,
  every = 10,
  listen?: RecordListener,
): Promise<{ a: ReturnType<typeof createAnalyzer>; rec: Recorder }> {
  const a = createAnalyzer();
  const rec = new Recorder(a, store);
  if (listen !== undefined) rec.on(listen);
  let n = 0;
  a.beginSource();
  await readCaptureFile(join(PCAPS, file), {
    records: (buf, s, e, h) => {
      a.record(buf, s, e, h);
      if (++n % every === 0) rec.tick();
    },
  });
  rec.stop();
  return { a, rec };
}
