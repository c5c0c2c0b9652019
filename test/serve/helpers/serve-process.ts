/**
 * `glasspane serve` as a real child process (through tsx): its first stdout line is the URL, the
 * rest of what it says is collected for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SERVE_ENTRY = join(repoRoot, 'src-main/serve/main.ts');

export interface ServeProcess {
  url: string;
  origin: string;
  token: string;
  port: number;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when standard error matches (it arrives apart from stdout, often later). */
  waitForStderr(re: RegExp, ms?: number): Promise<string>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Runs serve with `args` (default --port 0); rejects with its stderr if no URL comes within 30 s. */
export function startServe(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVE_ENTRY, '--port', '0', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve printed no URL in 30 s; stderr:\n${err}`));
    }, 30_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before printing a URL; stderr:\n${err}`));
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      const before = out;
      out += d;
      if (before.includes('\n') || !out.includes('\n')) return;
      clearTimeout(timer);
      const url = out.slice(0, out.indexOf('\n'));
      const u = new URL(url);
      resolveStart({
        url,
        origin: u.origin,
        token: u.searchParams.get('token') ?? '',
        port: Number(u.port),
        child,
        stdout: () => out,
        stderr: () => err,
        waitForStderr: async (re, ms = 10_000) => {
          const end = Date.now() + ms;
          while (!re.test(err)) {
            if (Date.now() > end) throw new Error(`stderr never matched ${re}:\n${err}`);
            await new Promise((r) => setTimeout(r, 20));
          }
          return err;
        },
        exited,
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
  });
}

/** Runs serve to completion (for argument errors); resolves with exit code and output. */
export function runServe(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVE_ENTRY, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((r) => child.once('exit', (code) => r({ code, stdout, stderr })));
}
