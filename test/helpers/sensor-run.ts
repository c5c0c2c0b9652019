/**
 * `glasspane sensor` (or any CLI command) as a child process through tsx, for tests that need real
 * sensors publishing to a real nats-server: resolves with its exit code and output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const CLI = resolve(import.meta.dirname, '..', '..', 'src-main', 'cli', 'glasspane.ts');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the command; `done` resolves when it exits, `run` fills as it speaks. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  /** In a process group of its own, as a terminal's foreground job is (signal it with -pid). */
  detached = false,
): { child: ChildProcess; run: CliRun; done: Promise<CliRun> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    detached,
  });
  const run: CliRun = { code: null, stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (run.stderr += d.toString()));
  const done = new Promise<CliRun>((r) =>
    child.on('close', (code) => {
      run.code = code;
      r(run);
    }),
  );
  return { child, run, done };
}

export function runCli(args: string[]): Promise<CliRun> {
  return startCli(args).done;
}
