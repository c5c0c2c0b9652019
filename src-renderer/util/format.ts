/** Display helpers shared by the grid, the details panel and the graph. Pure: no DOM. */
import type { DeviceJson } from '../../shared/model/inventory';

const num = new Intl.NumberFormat();

export const fmtCount = (n: number): string => num.format(n);

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** An ISO time as local "YYYY-MM-DD HH:MM:SS"; the raw string when it does not parse. */
export function fmtTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function firstIpv4(d: DeviceJson): string | null {
  for (const ip of d.ips) if (IPV4.test(ip)) return ip;
  return null;
}

/** An IPv4 address as a number for sorting; null for anything else. */
export function ipv4Number(ip: string | null): number | null {
  const m = ip ? IPV4.exec(ip) : null;
  if (!m) return null;
  return ((+m[1]! << 24) >>> 0) + (+m[2]! << 16) + (+m[3]! << 8) + +m[4]!;
}

/** The device's /24 ("10.0.1.0/24"), or a label for where it has none. */
export function subnetOf(d: DeviceJson): string {
  const ip = firstIpv4(d);
  if (ip) {
    const m = IPV4.exec(ip)!;
    return `${m[1]}.${m[2]}.${m[3]}.0/24`;
  }
  if (d.ips.length > 0) return 'IPv6 only';
  return 'no IP address';
}

/** What to call a device: its name, else its first address, else its MAC, else its id. */
export function displayName(d: DeviceJson): string {
  return d.hostname ?? d.hostnames[0]?.name ?? firstIpv4(d) ?? d.ips[0] ?? d.mac ?? d.id;
}

/** Purdue level: not in the device shape yet (a classifier will fill it); null until then. */
export function purdueLevel(d: DeviceJson): number | null {
  const v = (d as DeviceJson & { purdue?: unknown }).purdue;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 5 ? v : null;
}
