import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DiskQueue, type QueueStats } from '../forward/disk-queue';
import { dataDir } from '../forward/run';
import { UsageError } from './output';

/** Every destination queue under the data folder, by URI. */
export function forwardStatus(dir: string): (QueueStats & { dir: string })[] {
  const root = join(dir, 'forward');
  if (!existsSync(root)) return [];
  const out: (QueueStats & { dir: string })[] = [];
  for (const name of readdirSync(root).sort()) {
    const s = DiskQueue.stats(join(root, name));
    if (s !== null) out.push({ ...s, dir: join(root, name) });
  }
  return out.sort((a, b) => a.uri.localeCompare(b.uri));
}

/** `glasspane forward status`: a table, or JSON for scripts. */
export function forwardStatusCommand(o: { dataDir?: string; format?: string }): number {
  const dir = dataDir(o.dataDir);
  if (o.dataDir !== undefined && !existsSync(o.dataDir))
    throw new UsageError(`--data-dir '${o.dataDir}' does not exist: give the folder analyze --data-dir used`);
  const rows = forwardStatus(dir);
  if (o.format === 'json') {
    process.stdout.write(JSON.stringify({ dataDir: dir, destinations: rows }, null, 2) + '\n');
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(`no forwarding destinations in ${dir} yet (analyze --forward URI creates them)\n`);
    return 0;
  }
  const head = ['DESTINATION', 'QUEUED', 'SENT', 'FAILED', 'DROPPED', 'LAST ERROR'];
  const cells = rows.map((r) => [
    r.uri,
    String(r.queued),
    String(r.sent),
    String(r.failed),
    String(r.dropped),
    r.lastError !== null ? `${r.lastErrorAt ?? ''} ${r.lastError}` : '-',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((x, i) => (i === c.length - 1 ? x : i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join('  ') +
    '\n';
  process.stdout.write(line(head) + cells.map(line).join(''));
  return 0;
}
