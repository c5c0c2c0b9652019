import { spawnSync } from 'node:child_process';

export function tsharkAvailable(): boolean {
  return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Run tshark over a capture and return, per frame number, the requested fields (each a list of
 * occurrences). `-n`: no name resolution, so addresses stay addresses.
 */
export function tsharkFields(
  file: string,
  fields: string[],
  occurrence: 'a' | 'f' | 'l' = 'a',
  filter?: string,
): Map<number, string[][]> {
  const args = [
    '-n',
    '-r',
    file,
    '-T',
    'fields',
    '-E',
    `occurrence=${occurrence}`,
    '-E',
    'separator=\t',
    '-E',
    'aggregator=|',
    '-e',
    'frame.number',
  ];
  for (const f of fields) args.push('-e', f);
  if (filter) args.push('-Y', filter);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const out = new Map<number, string[][]>();
  for (const line of (r.stdout ?? '').split('\n')) {
    if (!line) continue;
    const cols = line.split('\t');
    const n = Number(cols[0]);
    out.set(
      n,
      fields.map((_, i) => (cols[i + 1] ? cols[i + 1]!.split('|').filter(Boolean) : [])),
    );
  }
  return out;
}
