/**
 * Sensors' deltas as `glasspane sensor` sends them (what changed since the last one, from a real
 * analyzer): over a corpus capture, or over crafted ARP frames for a console's tests and benches.
 */
import { join } from 'node:path';
import { analyzerPartial } from '../../shared/engine/analyzer-partial';
import { partialMarker, type PartialInventory, type PartialMarker } from '../../shared/inventory/partial';
import { SENSOR_MESSAGE_VERSION, type SensorMessage } from '../../shared/sensor/messages';
import type { AlertJson } from '../../shared/model/alert';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { readCaptureFile } from '../../src-main/capture/file-source';
import { PCAPS } from './corpus';
import { arp, ethernet } from './packets';

export interface Delta {
  site: string;
  sensor: string;
  partial: PartialInventory;
}

/** A sensor's deltas over a capture: one every `every` frames, as `glasspane sensor --read` sends them. */
export async function captureDeltas(
  file: string,
  site: string,
  sensor: string,
  every: number,
): Promise<Delta[]> {
  const a = createAnalyzer();
  const out: Delta[] = [];
  let mark: PartialMarker | undefined;
  let i = 0;
  const flush = () => {
    out.push({ site, sensor, partial: analyzerPartial(a, { site, sensor }, { since: mark }) });
    mark = partialMarker(a.inventory);
  };
  a.beginSource();
  await readCaptureFile(join(PCAPS, file), {
    records: (buf, s, e, h) => {
      a.record(buf, s, e, h);
      if (++i % every === 0) flush();
    },
  });
  flush();
  return out;
}

const hex2 = (n: number) => (n & 255).toString(16).padStart(2, '0');

/** Host `d` of sensor number `s`: a MAC of its own, an address 10.x.y.z. */
export const hostMac = (s: number, d: number) => [2, s, d >> 16, d >> 8, d, 1].map(hex2).join(':');
export const hostIp = (d: number) => `10.${(d >> 16) & 255}.${(d >> 8) & 255}.${(d & 255) + 1}`;

/**
 * A sensor that hears hosts announce themselves by ARP: each see() is the delta of the hosts it
 * names (seen again at `t` s: a later time changes their records).
 */
export function arpSensor(site: string, sensor: string, index: number) {
  const a = createAnalyzer();
  a.beginSource();
  let mark: PartialMarker | undefined;
  return {
    see(hosts: Iterable<number>, t: number): Delta {
      for (const d of hosts) {
        const mac = hostMac(index, d);
        const ip = hostIp(d);
        const f = ethernet('ff:ff:ff:ff:ff:ff', mac, 0x0806, arp(1, mac, ip, '00:00:00:00:00:00', ip));
        a.frame(f, 1, t, f.length, 0);
      }
      const partial = analyzerPartial(a, { site, sensor }, { since: mark });
      mark = partialMarker(a.inventory);
      return { site, sensor, partial };
    },
  };
}

/** A sensor message of a site's stream, number `n` there. */
export function message(
  d: { site: string; sensor: string },
  n: number,
  body: { partial: PartialInventory } | { alert: AlertJson },
): SensorMessage {
  const m = {
    v: SENSOR_MESSAGE_VERSION as typeof SENSOR_MESSAGE_VERSION,
    site: d.site,
    sensor: d.sensor,
    run: 'r',
    n,
  };
  return 'partial' in body
    ? { ...m, kind: 'delta', partial: body.partial }
    : { ...m, kind: 'alert', alert: body.alert };
}
