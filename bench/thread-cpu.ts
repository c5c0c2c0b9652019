/**
 * CPU time per thread of one command (Linux): its main thread and all its other threads (for
 * `glasspane analyze`, V8's background compiler and GC threads, libuv's pool, and any analysis
 * workers), sampled from /proc/PID/task/TID/stat every 50 ms while it runs, each thread's last
 * reading kept (a thread that ended keeps what it had used when last seen). Node 20 has no
 * per-thread CPU clock of its own (process.threadCpuUsage came in 23.9), and every thread is
 * called "node", so the split is by thread id: the main thread's is the process's.
 */
import { spawnSync } from 'node:child_process';

export interface ThreadCpu {
  /** Seconds of CPU (user and system). */
  main: number;
  others: number;
  /** How many other threads used more than 10 ms. */
  busyOthers: number;
}

// Fields 14 and 15 of stat (utime, stime) in clock ticks, read after the ") " that ends the name.
const SAMPLER = `
"$@" >/dev/null 2>&1 &
pid=$!
declare -A used
while kill -0 "$pid" 2>/dev/null; do
  for t in /proc/$pid/task/*; do
    s=$(cat "$t/stat" 2>/dev/null) || continue
    set -- \${s##*) }
    used[\${t##*/}]=$(( \${12} + \${13} ))
  done
  sleep 0.05
done
wait "$pid"; rc=$?
echo "rc $rc $(getconf CLK_TCK)"
for tid in "\${!used[@]}"; do echo "$tid \${used[$tid]} $pid"; done
`;

export function threadCpu(cmd: string[]): ThreadCpu {
  const r = spawnSync('bash', ['-c', SAMPLER, 'thread-cpu', ...cmd], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  const [, rc, hz] = (lines.shift() ?? '').split(' ');
  if (rc !== '0') throw new Error(`${cmd.join(' ')} failed (exit ${rc})`);
  const out: ThreadCpu = { main: 0, others: 0, busyOthers: 0 };
  for (const l of lines) {
    const [tid, ticks, pid] = l.split(' ').map(Number) as [number, number, number];
    const s = ticks / Number(hz);
    if (tid === pid) out.main = s;
    else {
      out.others += s;
      if (s > 0.01) out.busyOthers++;
    }
  }
  return out;
}
