/**
 * `glasspane sensor --config FILE`: a YAML map with the command's own option names (`site`,
 * `password-file`, `iface`, ...). The command line wins over the file, option by option.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../cli/output';

const text = z.union([z.string().min(1), z.number()]).transform(String);
const list = z.union([text.transform((s) => [s]), z.array(text)]);

/** Every key a config file may hold, as written on the command line. */
const ConfigFile = z.strictObject({
  site: text.optional(),
  sensor: text.optional(),
  l2domain: text.optional(),
  nats: text.optional(),
  user: text.optional(),
  'password-file': text.optional(),
  creds: text.optional(),
  'nkey-seed': text.optional(),
  'tls-ca': text.optional(),
  iface: list.optional(),
  filter: text.optional(),
  read: list.optional(),
  interval: text.optional(),
  'max-age': text.optional(),
  'duplicate-window': text.optional(),
  'buffer-size': text.optional(),
  'data-dir': text.optional(),
  learn: text.optional(),
  forward: list.optional(),
  'not-seen': text.optional(),
  'snapshot-every': text.optional(),
});

/** commander's camelCase name of a config key. */
function camel(k: string): string {
  return k.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The file's options under commander's names, for the caller to put under what the command line set. */
export function loadSensorConfig(path: string): Record<string, string | string[]> {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
    throw new UsageError(`sensor config ${path}: ${why}; give a YAML file of option: value lines`);
  }
  const r = ConfigFile.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const at = issue.path.join('.') || '(top level)';
    const what =
      issue.code === 'unrecognized_keys'
        ? `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
        : `${at}: ${issue.message}`;
    throw new UsageError(
      `sensor config ${path}: ${what}; keys are the command's options without dashes in front (site, nats, password-file, iface, ...)`,
    );
  }
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.data)) if (v !== undefined) out[camel(k)] = v;
  return out;
}
