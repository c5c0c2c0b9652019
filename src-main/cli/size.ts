import { UsageError } from './output';

/** A size given on the command line (500MB, 8GB, 1.5G, 2GiB), in bytes: units of 1000, as disks count. */
export function sizeBytes(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(v.trim());
  if (m === null || !(Number(m[1]) > 0))
    throw new UsageError(`${flag} '${v}' is not a size: use e.g. 500MB or 2GB`);
  const exp = ['', 'k', 'm', 'g', 't'].indexOf(m[2]!.toLowerCase());
  return Math.round(Number(m[1]) * 1000 ** exp);
}
