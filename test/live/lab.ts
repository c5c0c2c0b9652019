/**
 * A two-host lab for live-capture tests: network namespaces A and B joined by a veth pair, with
 * addresses and MACs of our choosing. Everything lives inside the namespaces this creates (the
 * host's own interfaces are never touched) and is removed by cleanup().
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Lab {
  nsA: string;
  nsB: string;
  ifA: string;
  ifB: string;
  macA: string;
  macB: string;
  ipA: string;
  ipB: string;
  /** Runs the capture helper inside namespace A. */
  wrapA: string[];
  cleanup(): void;
}

/** Why the lab cannot run here, or null when it can. */
export function labUnavailable(): string | null {
  if (process.platform !== 'linux') return 'live-capture tests need Linux network namespaces';
  if (process.getuid?.() !== 0) return 'live-capture tests need root (they create network namespaces)';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return "'ip netns' is not available (install iproute2)";
  return null;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createLab(tag: string): Lab {
  const id = randomBytes(3).toString('hex');
  const nsA = `gp-${tag}-${id}-a`;
  const nsB = `gp-${tag}-${id}-b`;
  const ifA = `gpa${id}`;
  const ifB = `gpb${id}`;
  const mid = randomBytes(3).toString('hex').match(/../g)!.join(':');
  const macA = `02:47:50:${mid}`.slice(0, 14) + ':0a';
  const macB = `02:47:50:${mid}`.slice(0, 14) + ':0b';
  const net = `10.213.${randomBytes(1)[0]!}`;
  const ipA = `${net}.1`;
  const ipB = `${net}.2`;
  const lab: Lab = {
    nsA,
    nsB,
    ifA,
    ifB,
    macA,
    macB,
    ipA,
    ipB,
    wrapA: ['ip', 'netns', 'exec', nsA],
    cleanup() {
      // Deleting a namespace deletes the veth end in it, and with it the pair.
      for (const ns of [nsA, nsB]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    },
  };
  try {
    ip('netns', 'add', nsA);
    ip('netns', 'add', nsB);
    ip(
      '-n',
      nsA,
      'link',
      'add',
      ifA,
      'address',
      macA,
      'type',
      'veth',
      'peer',
      'name',
      ifB,
      'address',
      macB,
      'netns',
      nsB,
    );
    ip('-n', nsA, 'addr', 'add', `${ipA}/24`, 'dev', ifA);
    ip('-n', nsB, 'addr', 'add', `${ipB}/24`, 'dev', ifB);
    for (const [ns, dev] of [
      [nsA, ifA],
      [nsB, ifB],
      [nsA, 'lo'],
      [nsB, 'lo'],
    ] as const) {
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
  } catch (e) {
    lab.cleanup();
    throw e;
  }
  return lab;
}

/**
 * Sends `count` UDP datagrams carrying `payload` from inside namespace `ns` to `to`:`port`, one after
 * another, from a real socket (a small Node program run with `ip netns exec`).
 */
export function sendUdp(ns: string, to: string, port: number, count: number, payload: string): void {
  const script =
    `const s = require('node:dgram').createSocket('udp4'); let k = 0;` +
    `const next = () => { if (k++ >= ${count}) return s.close();` +
    ` s.send(Buffer.from(${JSON.stringify(payload)}), ${port}, ${JSON.stringify(to)}, next); }; next();`;
  execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/**
 * Sends numbered datagrams ("seq:0", "seq:1", ...) from inside namespace `ns` to `to`:`port`, three
 * every millisecond or so, for `ms`; resolves with the number sent once the sender has exited.
 */
export function streamUdp(ns: string, to: string, port: number, ms: number): Promise<number> {
  const script =
    `const s = require('node:dgram').createSocket('udp4'); let k = 0; const end = Date.now() + ${ms};` +
    `const tick = () => { if (Date.now() >= end) { s.close(); process.stdout.write(String(k)); return; }` +
    ` for (let i = 0; i < 3; i++) s.send(Buffer.from('seq:' + k++), ${port}, ${JSON.stringify(to)});` +
    ` setTimeout(tick, 1); }; tick();`;
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((res, rej) =>
    child.on('close', (code) =>
      code === 0 ? res(Number(out)) : rej(new Error(`the sender exited ${code}`)),
    ),
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until `cond()` holds or `ms` pass; returns whether it held. */
export async function waitFor(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(25);
  }
  return cond();
}

/**
 * Sends crafted frames, byte for byte, out of `iface` inside namespace `ns` (through libpcap's
 * pcap_sendpacket, via the cap addon in a small Node program run with `ip netns exec`).
 */
export function sendFrames(ns: string, iface: string, frames: readonly Uint8Array[], cwd: string): void {
  const hex = frames.map((f) => Buffer.from(f).toString('hex'));
  const script =
    `const { Cap } = require('cap'); const c = new Cap(); const b = Buffer.alloc(65535);` +
    `c.open(${JSON.stringify(iface)}, '', 1 << 20, b);` +
    `for (const h of ${JSON.stringify(hex)}) { const f = Buffer.from(h, 'hex'); c.send(f, f.length); }` +
    `c.close();`;
  execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}
