/** Linux interface facts from /sys/class/net: flags, MAC, kernel counters. Absent elsewhere: null. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SAFE_NAME = /^[^/\0]{1,64}$/;

function read(iface: string, file: string): string | null {
  if (!SAFE_NAME.test(iface) || iface === '.' || iface === '..') return null;
  try {
    return readFileSync(join('/sys/class/net', iface, file), 'utf8').trim();
  } catch {
    return null;
  }
}

function num(iface: string, file: string): number | null {
  const s = read(iface, file);
  if (s === null) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

export interface KernelCounters {
  rxPackets: number;
  txPackets: number;
  rxDropped: number;
  rxMissed: number;
}

export function kernelCounters(iface: string): KernelCounters | null {
  const rxPackets = num(iface, 'statistics/rx_packets');
  if (rxPackets === null) return null;
  return {
    rxPackets,
    txPackets: num(iface, 'statistics/tx_packets') ?? 0,
    rxDropped: num(iface, 'statistics/rx_dropped') ?? 0,
    rxMissed: num(iface, 'statistics/rx_missed_errors') ?? 0,
  };
}

export interface SysfsFacts {
  mac: string | null;
  /** IFF_ flag bits (linux/if.h). */
  flags: number | null;
  operstate: string | null;
  mtu: number | null;
}

export function sysfsFacts(iface: string): SysfsFacts {
  const flags = read(iface, 'flags');
  return {
    mac: read(iface, 'address'),
    flags: flags !== null && /^0x[0-9a-f]+$/i.test(flags) ? parseInt(flags, 16) : null,
    operstate: read(iface, 'operstate'),
    mtu: num(iface, 'mtu'),
  };
}
