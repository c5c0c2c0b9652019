/**
 * The packet and byte counters the OS keeps per interface, for the source picker's sparklines.
 * Passive: reads /sys/class/net on Linux, opens no capture and needs no privilege. Elsewhere it
 * answers supported: false. Never throws: an unreadable counter is null, a missing folder is
 * "not supported".
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallResponse, InterfaceCounter } from '../../shared/ipc/contract';
import { IPC_LIMITS as L } from '../../shared/ipc/limits';

export const SYS_CLASS_NET = '/sys/class/net';

/** One counter file: a decimal integer; anything else (absent, unreadable, garbage, too big) is null. */
async function counter(path: string): Promise<number | null> {
  try {
    const s = (await readFile(path, 'utf8')).trim();
    if (!/^\d{1,20}$/.test(s)) return null;
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : null;
  } catch {
    return null;
  }
}

const sum = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);

export async function readInterfaceCounters(
  root: string = SYS_CLASS_NET,
  platform: NodeJS.Platform = process.platform,
): Promise<CallResponse<'interfaceCounters'>> {
  if (platform !== 'linux') return { supported: false, at: Date.now(), interfaces: [] };
  let names: string[];
  try {
    names = (await readdir(root)).filter((n) => n.length > 0 && n.length <= L.id).sort();
  } catch {
    return { supported: false, at: Date.now(), interfaces: [] };
  }
  const interfaces: InterfaceCounter[] = [];
  // One interface at a time (four small reads each): a host with a thousand interfaces must not run out of descriptors.
  for (const name of names.slice(0, L.sources)) {
    const dir = join(root, name, 'statistics');
    const [rxp, txp, rxb, txb] = await Promise.all(
      ['rx_packets', 'tx_packets', 'rx_bytes', 'tx_bytes'].map((f) => counter(join(dir, f))),
    );
    interfaces.push({ name, packets: sum(rxp ?? null, txp ?? null), bytes: sum(rxb ?? null, txb ?? null) });
  }
  return { supported: true, at: Date.now(), interfaces };
}
