/**
 * Where sensors publish: one JetStream stream per site (`GLASSPANE_<site>` on `glasspane.<site>.>`),
 * so a console, and the account it logs in with, can take some sites only; each sensor publishes on
 * `glasspane.<site>.<sensor>.delta|alert|health`.
 */

export const SUBJECT_ROOT = 'glasspane';

export type MessageKind = 'delta' | 'alert' | 'health';

/**
 * Site and sensor names become subject tokens and part of a stream name (a folder on the broker's
 * disk): letters, digits, '-' and '_' only, which rules out NATS's '.', '*', '>' and whitespace, and
 * path separators.
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Why `name` cannot be a site or sensor name, or null when it can. */
export function nameProblem(what: 'site' | 'sensor', name: string): string | null {
  if (NAME.test(name)) return null;
  const shown = JSON.stringify(name);
  if (name === '') return `the ${what} name is empty: give one, e.g. --${what} plant-1`;
  if (name.length > 64) return `the ${what} name ${shown} is longer than 64 characters`;
  return `the ${what} name ${shown} is a letter or digit, then letters, digits, '-' and '_' (it becomes a NATS subject token): e.g. --${what} plant-1`;
}

export function streamName(site: string): string {
  return `GLASSPANE_${site}`;
}

/** The subjects of a site's stream. */
export function siteSubjects(site: string): string {
  return `${SUBJECT_ROOT}.${site}.>`;
}

export function subjectOf(site: string, sensor: string, kind: MessageKind): string {
  return `${SUBJECT_ROOT}.${site}.${sensor}.${kind}`;
}

/** The site, sensor and kind of a subject, or null for one that is not ours. */
export function parseSubject(subject: string): { site: string; sensor: string; kind: MessageKind } | null {
  const t = subject.split('.');
  if (t.length !== 4 || t[0] !== SUBJECT_ROOT) return null;
  const [, site, sensor, kind] = t as [string, string, string, string];
  if (kind !== 'delta' && kind !== 'alert' && kind !== 'health') return null;
  return { site, sensor, kind };
}

/** The site of a stream named by streamName(), or null. */
export function siteOfStream(stream: string): string | null {
  return stream.startsWith('GLASSPANE_') && NAME.test(stream.slice(10)) ? stream.slice(10) : null;
}
