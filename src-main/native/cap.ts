/**
 * The one place that loads `cap` (libpcap binding). Everything that captures goes through loadCap().
 *
 * What cap 0.2.1 offers, and what it does not (checked against its src/binding.cc):
 * - deviceList(): name, description, IPv4/IPv6 addresses (addr, netmask, broadaddr, dstaddr) and only
 *   the loopback flag.
 * - open(device, filter, bufSize, buffer): snaplen fixed at 65535, promiscuous always on, immediate
 *   mode; returns the link type as a name ('ETHERNET', ...) or 'Unknown linktype N'.
 * - 'packet' (nbytes, truncated): the bytes are copied into the one buffer given to open(); there is
 *   no pcap timestamp and no wire length (only the captured length).
 * - No pcap_stats(): ps_recv / ps_drop / ps_ifdrop are not reachable through cap.
 *
 * Tests only: GLASSPANE_FAKE_NO_CAP=1 makes loadCap() report cap as unavailable, to exercise the
 * "libpcap missing" path on a machine that has it.
 */
import { loadNative, type NativeUnavailable } from './load-native';

export interface CapAddress {
  addr: string;
  netmask?: string;
  broadaddr?: string;
  dstaddr?: string;
}

export interface CapDevice {
  name: string;
  description?: string;
  addresses: CapAddress[];
  flags?: string;
}

export interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): this;
  removeAllListeners(event?: string): this;
}

export interface CapModule {
  Cap: {
    new (): CapHandle;
    deviceList(): CapDevice[];
    findDevice(ip?: string): string | undefined;
  };
}

export const FAKE_NO_CAP_ENV = 'GLASSPANE_FAKE_NO_CAP';

export type CapResult = { ok: true; cap: CapModule } | { ok: false; error: NativeUnavailable };

export function loadCap(): CapResult {
  if (process.env[FAKE_NO_CAP_ENV] === '1') {
    return {
      ok: false,
      error: {
        code: 'native-unavailable',
        name: 'cap',
        message: `The native module 'cap' did not load: disabled by ${FAKE_NO_CAP_ENV}=1 (tests only).`,
        detail: 'simulated',
      },
    };
  }
  const r = loadNative<CapModule>('cap');
  if (!r.ok) return r;
  if (typeof r.module?.Cap?.deviceList !== 'function') {
    return {
      ok: false,
      error: {
        code: 'native-unavailable',
        name: 'cap',
        message: `The module loaded from ${r.from} is not the cap libpcap binding.`,
        detail: 'missing Cap.deviceList',
      },
    };
  }
  return { ok: true, cap: r.module };
}
