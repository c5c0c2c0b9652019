import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { DEFAULT_POLICY, type AlertPolicy, type EventPolicy } from '../../shared/alerts/policy';
import { SEVERITIES } from '../../shared/alerts/severity';
import { EVENT_KINDS } from '../../shared/protocols/ot/events';
import { SENSOR_EVENT_KINDS } from '../../shared/sensor/events';
import { UsageError } from './output';

/** One entry of a policy file: either field may be left out to keep the default's. */
const Entry = z.strictObject({
  severity: z.enum(SEVERITIES as [string, ...string[]]).optional(),
  text: z.string().min(1).max(512).optional(),
});
const PolicyFile = z.record(z.string(), Entry);

/**
 * The alert policy with a user's file merged over the default (`--alert-policy FILE`): a YAML map from
 * event kind (`protocol.event`) to `{ severity, text }`. A bad file is a usage error naming what to fix.
 */
export function loadAlertPolicy(path: string): AlertPolicy {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : firstLine(e);
    throw new UsageError(
      `alert policy ${path}: ${why}; give a YAML file mapping event kinds to { severity, text }`,
    );
  }
  const r = PolicyFile.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const at = issue.path.join('.') || '(top level)';
    throw new UsageError(
      `alert policy ${path}: ${at}: ${issue.message}; each entry is a kind with severity (${SEVERITIES.join(', ')}) and/or text`,
    );
  }
  const known = new Set<string>([...EVENT_KINDS, ...SENSOR_EVENT_KINDS]);
  const out: Record<string, EventPolicy> = { ...DEFAULT_POLICY };
  for (const [kind, entry] of Object.entries(r.data)) {
    if (!known.has(kind))
      throw new UsageError(
        `alert policy ${path}: unknown event kind '${kind}': kinds are protocol.event, e.g. ${EVENT_KINDS.slice(0, 3).join(', ')}`,
      );
    const base = out[kind]!;
    out[kind] = {
      severity: (entry.severity as EventPolicy['severity'] | undefined) ?? base.severity,
      text: entry.text ?? base.text,
    };
  }
  return out;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim().replace(/:$/, '');
}
