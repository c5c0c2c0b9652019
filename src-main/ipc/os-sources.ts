/**
 * Interfaces as the OS reports them, for when libpcap cannot list devices (the cap binding is not
 * built for this runtime, or libpcap is missing): os.networkInterfaces(), plus /sys/class/net on
 * Linux for interfaces without addresses and for the up/loopback/running flags.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { CaptureInterface, InterfaceAddress } from '../../shared/ipc/contract';
import { IPC_LIMITS } from '../../shared/ipc/limits';
import { resolveCaptureHelper } from '../capture/live/helper-path';

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_RUNNING = 0x40;
const CAP_NET_RAW = 13;

function linuxFlags(name: string): number | null {
  try {
    const v = Number.parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

function linuxInterfaceNames(): string[] {
  try {
    return readdirSync('/sys/class/net').slice(0, IPC_LIMITS.sources);
  } catch {
    return [];
  }
}

export function listOsInterfaces(): CaptureInterface[] {
  const byName = networkInterfaces();
  const names = new Set([
    ...Object.keys(byName),
    ...(process.platform === 'linux' ? linuxInterfaceNames() : []),
  ]);
  const out: CaptureInterface[] = [];
  for (const name of [...names].sort()) {
    if (out.length >= IPC_LIMITS.sources) break;
    const infos = byName[name] ?? [];
    const addresses: InterfaceAddress[] = infos.slice(0, IPC_LIMITS.addresses).map((a) => ({
      family: a.family === 'IPv6' ? 'ipv6' : 'ipv4',
      address: a.address,
      netmask: a.netmask || null,
    }));
    const mac = infos.find((a) => a.mac && a.mac !== '00:00:00:00:00:00')?.mac ?? null;
    const flags = process.platform === 'linux' ? linuxFlags(name) : null;
    out.push({
      name,
      description: null,
      mac,
      addresses,
      flags:
        flags === null
          ? { up: null, loopback: infos.some((a) => a.internal), running: null }
          : {
              up: (flags & IFF_UP) !== 0,
              loopback: (flags & IFF_LOOPBACK) !== 0,
              running: (flags & IFF_RUNNING) !== 0,
            },
    });
  }
  return out;
}

/**
 * Whether the capture helper could open a capture socket. The native helper answers for itself
 * (`--check-rights`: root, or CAP_NET_RAW from setcap on it); the Node helper runs our own binary,
 * so this process's effective set says (file capabilities on the binary show up there too). Linux
 * only; null elsewhere or when the native helper cannot tell.
 */
export function canCaptureRaw(helper = resolveCaptureHelper()): boolean | null {
  if (process.platform !== 'linux') return null;
  if (helper.native === true) {
    const r = spawnSync(helper.command, ['--check-rights'], { encoding: 'utf8', timeout: 3000 });
    // Installed for the glasspane group only: a user outside it may not capture.
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'EACCES') return false;
    const out = typeof r.stdout === 'string' ? r.stdout.trim() : '';
    return out === 'yes' ? true : out === 'no' ? false : null;
  }
  return ownRights();
}

function ownRights(): boolean | null {
  if (process.platform !== 'linux') return null;
  if (process.getuid?.() === 0) return true;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m !== null && (BigInt('0x' + m[1]) & (1n << BigInt(CAP_NET_RAW))) !== 0n;
  } catch {
    return false;
  }
}
