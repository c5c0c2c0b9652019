/**
 * A console's heap (`serve --nats`, `inventory --nats`). Node gives a process at most about 4 GB of
 * heap whatever the machine has, and V8 cannot raise it once running; a console holding a million
 * merged devices needs more. So a console starts itself again, once, as a child with
 * `--max-old-space-size` set (half the machine's memory by default, or `--heap SIZE`), and passes on
 * its exit and the signals it is sent. A heap limit the user set (NODE_OPTIONS or node's own flags)
 * is kept unless `--heap` is given.
 */
import { spawn } from 'node:child_process';
import { constants, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { UsageError } from './output';
import { sizeBytes } from './size';
import { halfTheMachineMiB } from '../engine/heap-room';

/** Set in the child, so that it runs the command instead of starting itself again. */
const CHILD = 'GLASSPANE_HEAP_CHILD';
const MiB = 2 ** 20;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The heap a console asks for, in MiB: `--heap`, else half the machine's memory. */
export function wantedHeapMiB(heap: string | undefined, machine = totalmem()): number {
  if (heap === undefined || heap === 'auto') return halfTheMachineMiB(machine);
  const mib = Math.floor(sizeBytes('--heap', heap) / MiB);
  if (mib < 256) throw new UsageError(`--heap ${heap} is too small for a console: give at least 256MB`);
  if (mib * MiB > machine)
    throw new UsageError(
      `--heap ${heap} is more than this machine's ${(machine / 2 ** 30).toFixed(1)} GB of memory`,
    );
  return mib;
}

/** Why this process runs the console itself (null: it should start a child with `mib`). */
export function heapDecision(
  heap: string | undefined,
  mib: number,
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
  limit = getHeapStatistics().heap_size_limit,
): string | null {
  const own = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) =>
    /^--max[-_]old[-_]space[-_]size/.test(a),
  );
  if (heap === undefined && own) return 'its heap was set by NODE_OPTIONS or node';
  // The limit counts the young generation too (some tens of MB): near enough is enough.
  const have = limit / MiB;
  if (heap === undefined ? have >= mib : Math.abs(have - mib) < mib * 0.05) return 'its heap is large enough';
  return null;
}

/** What a console says of its heap, from the process that runs it. */
export function heapLine(): string {
  return `heap limit ${(getHeapStatistics().heap_size_limit / 2 ** 30).toFixed(1)} GB (--heap)`;
}

/**
 * Runs the console in a child with a larger heap where it needs one: resolves with the child's exit
 * code, or null where this process should run it. The child has a process group of its own, so a
 * Ctrl+C reaches it once (through this process), not twice: a second one would cut its shutdown
 * (and its store's last checkpoint) short.
 */
export function consoleHeap(o: { nats?: string; heap?: string }): Promise<number> | null {
  if (o.nats === undefined) {
    if (o.heap !== undefined) throw new UsageError('--heap is for a console: give it with --nats');
    return null;
  }
  if (process.env[CHILD] === '1') {
    dieWithParent();
    return null;
  }
  const mib = wantedHeapMiB(o.heap);
  if (heapDecision(o.heap, mib) !== null) return null;
  const child = spawn(
    process.execPath,
    [...process.execArgv, `--max-old-space-size=${mib}`, ...process.argv.slice(1)],
    { stdio: ['pipe', 'inherit', 'inherit'], detached: true, env: { ...process.env, [CHILD]: '1' } },
  );
  const pass = (sig: NodeJS.Signals) => () => child.kill(sig);
  const handlers = SIGNALS.map((s) => [s, pass(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return new Promise((resolve) => {
    child.once('error', (e) => {
      for (const [s, h] of handlers) process.off(s, h);
      process.stderr.write(`glasspane: cannot start the console with a ${mib} MB heap: ${e.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      // As a shell reports a death by signal: 128 + its number.
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}

/**
 * In the child: the command's end (even by SIGKILL, which it cannot pass on) closes the pipe on our
 * standard input, and the console ends with it, the same way, rather than run on unseen.
 */
function dieWithParent(): void {
  const stdin = process.stdin;
  stdin.once('end', () => process.kill(process.pid, 'SIGKILL'));
  stdin.once('error', () => process.kill(process.pid, 'SIGKILL'));
  stdin.resume();
  // Watching must not keep a finished command (inventory) alive.
  (stdin as unknown as { unref?: () => void }).unref?.();
}
