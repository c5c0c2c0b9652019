/**
 * `glasspane sensor` (or any CLI command) as a child process through tsx, for tests that need real
 * sensors publishing to a real nats-server: resolves with its exit code and output.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const CLI = resolve(import.meta.dirname, '..', '..', 'src-main', 'cli', 'glasspane.ts');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[]): Promise<CliRun> {
  const p = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: CliRun = { code: null, stdout: '', stderr: '' };
  p.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
  return new Promise((r) =>
    p.on('close', (code) => {
      run.code = code;
      r(run);
    }),
  );
}
