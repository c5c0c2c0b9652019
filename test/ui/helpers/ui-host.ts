/**
 * Helpers for the UI tests: the renderer build, Chromium's path and flags, and the console host of
 * test/electron/helpers with what UI tests change in its answers.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { EngineHandlers } from '../../../src-main/ipc/engine-api';
import type { EventHub } from '../../../src-main/ipc/event-hub';
import { startConsoleHost, type Answer, type ConsoleHost } from '../../electron/helpers/console-host';

import { repoRoot } from '../../electron/helpers/paths';

export { CHROMIUM, CHROMIUM_ARGS, repoRoot } from '../../electron/helpers/paths';

/** Answers a test puts in place of the engine's, by call name: return the value, or throw to answer 'failed'. */
export type ExtraHandlers = Record<string, (payload: unknown) => unknown>;

export type UiHost = ConsoleHost;

export function buildRenderer(outDir: string): void {
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, 'scripts/build.mjs'), `--out=${outDir}`, '--only=renderer'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
}

/**
 * The console host of the browser tests, with what UI tests add: extra calls (or contract calls
 * answered by the test instead of the engine), a listSources extension, an older engine that knows
 * neither getDevice nor the demo offer, or calls it does not know at all.
 */
export async function startUiHost(
  dir: string,
  ws: {
    token: string;
    engine: EngineHandlers;
    hub?: EventHub;
    extra?: ExtraHandlers;
    listSourcesExtra?: object;
    /** Behave like a host from before getDevice and the demo offer: both unknown to it. */
    older?: boolean;
    /** Calls this host answers with 'unknown-call', as an engine from before them would. */
    unknown?: readonly string[];
  },
): Promise<UiHost> {
  const intercept =
    (dispatch: Answer): Answer =>
    async (name, payload) => {
      const extra = typeof name === 'string' ? ws.extra?.[name] : undefined;
      if (extra) {
        try {
          return { ok: true, value: await extra(payload) };
        } catch (e) {
          return {
            ok: false,
            error: { code: 'failed', message: e instanceof Error ? e.message : String(e) },
          };
        }
      }
      if (typeof name === 'string' && ws.unknown?.includes(name)) {
        return { ok: false, error: { code: 'unknown-call', message: `unknown call: ${name}` } };
      }
      if (ws.older && name === 'getDevice') {
        return { ok: false, error: { code: 'unknown-call', message: 'unknown call getDevice' } };
      }
      const r = (await dispatch(name, payload)) as { ok: boolean; value?: unknown };
      if (name === 'listSources' && r.ok && ws.older) {
        const { demo: _demo, ...rest } = r.value as { demo?: unknown };
        return { ok: true, value: rest };
      }
      if (name === 'listSources' && r.ok && ws.listSourcesExtra) {
        return { ok: true, value: { ...(r.value as object), ...ws.listSourcesExtra } };
      }
      return r;
    };
  return startConsoleHost(dir, { token: ws.token, engine: ws.engine, hub: ws.hub, intercept });
}
