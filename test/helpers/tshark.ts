/** The tests' one way to run tshark: the reference our decoders are checked against. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from './pcap-writer';

/** The addresses and ports of the innermost IP packet, as tshark names them. */
export const ADDRESS_FIELDS = [
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'udp.srcport',
  'udp.dstport',
] as const;

export function tsharkAvailable(): boolean {
  return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * tshark's standard output for `args`. It throws with tshark's message when tshark fails, unless
 * `partial` and it printed something: a capture cut short mid-packet still yields the frames before.
 */
export function tshark(args: readonly string[], o: { partial?: boolean } = {}): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0 && !(o.partial === true && r.stdout !== ''))
    throw new Error(`tshark ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

export interface FieldsOptions {
  /** What joins a field's occurrences; pick one no value contains (default '|'). */
  aggregator?: string;
  /** `-d` rules (decode a port as a protocol). */
  decodeAs?: readonly string[];
  /** Keep empty occurrences ('a||b' gives three), as tshark prints them. */
  keepEmpty?: boolean;
}

/**
 * Run tshark over a capture and return, per frame number, the requested fields (each a list of
 * occurrences). `-n`: no name resolution, so addresses stay addresses.
 */
export function tsharkFields(
  file: string,
  fields: readonly string[],
  occurrence: 'a' | 'f' | 'l' = 'a',
  filter?: string,
  o: FieldsOptions = {},
): Map<number, string[][]> {
  const agg = o.aggregator ?? '|';
  const args = ['-n', '-r', file, '-T', 'fields', '-E', `occurrence=${occurrence}`];
  args.push('-E', 'separator=\t', '-E', `aggregator=${agg}`, '-e', 'frame.number');
  for (const f of fields) args.push('-e', f);
  if (filter) args.push('-Y', filter);
  for (const d of o.decodeAs ?? []) args.push('-d', d);
  const out = new Map<number, string[][]>();
  for (const line of tshark(args, { partial: true }).split('\n')) {
    if (!line) continue;
    const cols = line.split('\t');
    out.set(
      Number(cols[0]),
      fields.map((_, i) => {
        const c = cols[i + 1];
        if (!c) return [];
        const occ = c.split(agg);
        return o.keepEmpty ? occ : occ.filter(Boolean);
      }),
    );
  }
  return out;
}

/** tsharkFields over crafted Ethernet frames (frame i + 1 is frames[i]), through a temporary pcap. */
export function tsharkFrames(
  frames: readonly Uint8Array[],
  fields: readonly string[],
  occurrence: 'a' | 'f' | 'l' = 'a',
  o: FieldsOptions = {},
): Map<number, string[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'gp-tshark-'));
  try {
    const file = writePcap(
      join(dir, 'frames.pcap'),
      1,
      frames.map((data) => ({ data })),
    );
    return tsharkFields(file, fields, occurrence, undefined, o);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
