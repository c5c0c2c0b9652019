/**
 * How much heap the engine may have, and what to do when a console's merge needs more. A console run
 * by Node (`serve --nats`, `inventory --nats`) raises its own heap (src-main/cli/heap.ts). The desktop
 * app cannot go as far: Electron's V8 is built with pointer compression, so no process of it can
 * have more than 4 GB of heap, whatever the flags (electron/electron#31330, #33994).
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

const MiB = 2 ** 20;

/** The heap a console asks for unless told otherwise: half the machine's memory, in MiB. */
export const halfTheMachineMiB = (machine = totalmem()): number => Math.floor(machine / 2 / MiB);

/**
 * The most the desktop app's engine asks for: V8 keeps the young generation and code inside the same
 * 4 GB cage, so an old space of 4 GB would be clamped anyway.
 */
export const ELECTRON_HEAP_CAP_MIB = 3840;

/**
 * The flags the desktop app's engine process starts with: half the machine's memory, within
 * Electron's cap, and only where that is more than the heap V8 would give it unasked (the main
 * process's own limit: same V8, same machine). On 16 GB or more V8's default is already the cap.
 */
export function engineHeapArgs(
  machine = totalmem(),
  defaultLimit = getHeapStatistics().heap_size_limit,
): string[] {
  const want = Math.min(halfTheMachineMiB(machine), ELECTRON_HEAP_CAP_MIB);
  return want > defaultLimit / MiB ? [`--max-old-space-size=${want}`] : [];
}

/**
 * What a console near its heap limit should do: restart with a larger `--heap` under Node; in the
 * desktop app, which cannot have more, run the console as `glasspane serve` and open it in a browser.
 */
export function moreHeapAdvice(limit: number, electron = process.versions.electron): string {
  // Twice the heap, in the console's own --heap (units of 1000).
  const more = Math.ceil((limit * 2) / 1e9);
  if (electron !== undefined) {
    return (
      `the desktop app cannot give it more (Electron caps a process's heap at 4 GB): run this console as ` +
      `\`glasspane serve --nats URL --heap ${more}GB\` and open the address it prints in a browser; docs/sensors.md`
    );
  }
  return `give it more before more sensors report (restart it with --heap ${more}GB, within this machine's memory; docs/sensors.md)`;
}
