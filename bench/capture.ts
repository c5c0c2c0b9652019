/**
 * The benchmark capture both benches read: ../shared/bench/make-bench-pcap.sh's mix of the corpus,
 * repeated `reps` times, built once into bench/out/ (git-ignored) and reused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');
export const sharedBench = resolve(root, '..', 'shared', 'bench');
export const out = join(root, 'bench', 'out');

/** Exits with a one-line message when `cmd` is not installed. */
export function need(cmd: string, hint: string): void {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) {
    console.error(`bench: needs ${cmd}: ${hint}`);
    process.exit(2);
  }
}

/** The capture's path, built first when it is not there yet. */
export function benchCapture(reps: string): string {
  need('mergecap', 'apt-get install -y wireshark-common');
  if (!existsSync(join(sharedBench, 'make-bench-pcap.sh'))) {
    console.error('bench: ../shared/bench is absent; nothing to measure against');
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  const capture = join(out, `bench-x${reps}.pcap`);
  if (!existsSync(capture)) {
    console.error(`bench: building ${capture} ...`);
    const r = spawnSync('bash', [join(sharedBench, 'make-bench-pcap.sh'), capture, reps], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  return capture;
}

/** Builds dist/ when the command line is not built yet (the benches run the installed command). */
export function ensureBuilt(): void {
  if (!existsSync(join(root, 'dist', 'cli.cjs')))
    spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
