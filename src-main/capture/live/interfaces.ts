/**
 * Interfaces that can be captured on, with their addresses and state. Needs no privileges (pcap's
 * device list plus sysfs), so it runs in the app; the helper can also answer it (config.list), which
 * gives the view from inside another network namespace.
 */
import { loadCap, type CapDevice } from '../../native/cap';
import { captureUnavailable, type LiveError } from './errors';
import { sysfsFacts } from './sysfs';

export interface InterfaceAddress {
  /** 'ipv4' or 'ipv6'. */
  family: 'ipv4' | 'ipv6';
  addr: string;
  netmask: string | null;
  broadcast: string | null;
  /** Peer address of a point-to-point link. */
  peer: string | null;
}

export interface InterfaceInfo {
  name: string;
  description: string | null;
  addresses: InterfaceAddress[];
  mac: string | null;
  mtu: number | null;
  loopback: boolean;
  /** Administratively up (IFF_UP); null where unknown (pseudo-devices such as 'any', 'nflog'). */
  up: boolean | null;
  /** Carrier present (IFF_RUNNING); null where unknown. */
  running: boolean | null;
  /** Kernel operational state ('up', 'down', 'unknown', ...). */
  operstate: string | null;
  /** Names of the flags that are set, for display: loopback, up, running, promisc, pointopoint. */
  flags: string[];
}

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_POINTOPOINT = 0x10;
const IFF_RUNNING = 0x40;
const IFF_PROMISC = 0x100;

export function describeDevice(d: CapDevice): InterfaceInfo {
  const f = sysfsFacts(d.name);
  const bits = f.flags;
  const loopback = d.flags === 'PCAP_IF_LOOPBACK' || (bits !== null && (bits & IFF_LOOPBACK) !== 0);
  const flags: string[] = [];
  if (loopback) flags.push('loopback');
  if (bits !== null) {
    if (bits & IFF_UP) flags.push('up');
    if (bits & IFF_RUNNING) flags.push('running');
    if (bits & IFF_PROMISC) flags.push('promisc');
    if (bits & IFF_POINTOPOINT) flags.push('pointopoint');
  }
  return {
    name: d.name,
    description: d.description ?? null,
    addresses: (d.addresses ?? []).map((a) => ({
      family: a.addr.includes(':') ? 'ipv6' : 'ipv4',
      addr: a.addr,
      netmask: a.netmask ?? null,
      broadcast: a.broadaddr ?? null,
      peer: a.dstaddr ?? null,
    })),
    mac: f.mac,
    mtu: f.mtu,
    loopback,
    up: bits === null ? null : (bits & IFF_UP) !== 0,
    running: bits === null ? null : (bits & IFF_RUNNING) !== 0,
    operstate: f.operstate,
    flags,
  };
}

export type InterfaceList = { ok: true; interfaces: InterfaceInfo[] } | { ok: false; error: LiveError };

export function listInterfaces(): InterfaceList {
  const c = loadCap();
  if (!c.ok) return { ok: false, error: captureUnavailable(c.error.message) };
  try {
    return { ok: true, interfaces: c.cap.Cap.deviceList().map(describeDevice) };
  } catch (e) {
    return {
      ok: false,
      error: captureUnavailable(
        `pcap could not list interfaces: ${e instanceof Error ? e.message : String(e)}`,
      ),
    };
  }
}
