/**
 * A running capture helper, as live-source sees it: a spawned child process (the native helper, or
 * the Node helper under plain Node) or the Node helper forked by Electron's main process as a utility
 * process and relayed to the engine (./helper-relay.ts). Electron's RunAsNode fuse is off in the
 * packaged app, so the Electron binary can no longer be started as node (ELECTRON_RUN_AS_NODE).
 */
import type { ChildProcess } from 'node:child_process';

export interface HelperProcess {
  readonly pid: number | undefined;
  onStdout(listener: (data: Buffer) => void): void;
  onStderr(listener: (text: string) => void): void;
  /** It could not be started (or not be reached). */
  onError(listener: (e: Error) => void): void;
  /** It has exited; after this nothing more arrives. */
  onClose(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** Ask it to stop: final STATS, then exit 0. */
  requestStop(): void;
  kill(signal: NodeJS.Signals): void;
}

/** Starts the Node helper with its JSON configuration (argv[2]). */
export type NodeHelperLauncher = (configJson: string) => HelperProcess;

/** A helper spawned as a child process: stop is the 'stop' line on its stdin (EOF stops it too). */
export function spawnedHelper(child: ChildProcess): HelperProcess {
  child.stdin?.on('error', () => {});
  return {
    get pid() {
      return child.pid;
    },
    onStdout: (l) => child.stdout?.on('data', l),
    onStderr: (l) => {
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', l);
    },
    onError: (l) => child.on('error', l),
    onClose: (l) => child.on('close', l),
    requestStop: () => child.stdin?.end('stop\n'),
    kill: (signal) => child.kill(signal),
  };
}
