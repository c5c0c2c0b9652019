import { realpath } from 'node:fs/promises';
import type { CallResponse } from '../../shared/ipc/contract';
import { CallFailure } from '../ipc/engine-api';
import { listSources } from '../ipc/sources';
import { checkFilterWithLibpcap } from '../capture/live/check-filter';
import { demoCapturePath } from '../demo/demo-path';
import { checkCapturePaths } from './capture-paths';

/**
 * What can be captured or read here: interfaces and the demo capture, the host's file picker,
 * libpcap's verdict on a filter, and which capture paths openCapture may read.
 */
export class CaptureSources {
  /** The demo capture's real path once listSources has offered it (allowed besides captureDir). */
  private demoPath: string | null = null;

  constructor(
    private readonly o: {
      /** The host's own file picker (Electron's dialog); absent on hosts without one. */
      chooseFiles?: () => Promise<string[]>;
      /** The real path of the only folder openCapture may read from (`serve --capture-dir`). */
      captureDir?: string;
    },
  ) {}

  async list(): Promise<CallResponse<'listSources'>> {
    let demo: { path: string } | null = null;
    try {
      demo = { path: await demoCapturePath() };
      this.demoPath = await realpath(demo.path).catch(() => null);
    } catch {
      // No writable cache or temp folder: the start screen just offers no demo.
    }
    return { ...listSources(), demo };
  }

  async choose(): Promise<CallResponse<'chooseCaptureFiles'>> {
    return this.o.chooseFiles
      ? { supported: true, paths: await this.o.chooseFiles() }
      : { supported: false, paths: [] };
  }

  async checkFilter(filter: string): Promise<CallResponse<'checkFilter'>> {
    if (filter.trim() === '') return { ok: true, message: null };
    const r = await checkFilterWithLibpcap(filter);
    if (r === null)
      throw new CallFailure(
        'unavailable',
        'filters cannot be checked here: the native capture helper is not built (npm run build needs cc and libpcap-dev)',
      );
    return r;
  }

  /** The paths openCapture may read, checked (a refused one is a CallFailure that costs the run in progress nothing). */
  allowed(paths: string[]): Promise<string[]> {
    return checkCapturePaths(paths, {
      dir: this.o.captureDir,
      alsoAllowed: this.demoPath !== null ? [this.demoPath] : [],
    });
  }
}
