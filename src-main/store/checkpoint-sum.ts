import { hash } from 'node:crypto';
import { PARTIAL_LIMITS } from '../../shared/inventory/partial-limits';
import { PARTIAL_CHECKS } from '../../shared/inventory/partial-schema';
import { PARTIAL_VERSION } from '../../shared/inventory/partial-types';

/**
 * What a checkpoint row's sum covers besides the row: the record format and the checks it passed,
 * so that rows written under other ones no longer match and are checked in full. Summed once, so
 * that each row's sum reads a few bytes of it, not the limits' JSON.
 */
const UNDER = hash(
  'sha256',
  `glasspane checkpoint row\0${PARTIAL_VERSION}\0${PARTIAL_CHECKS}\0${JSON.stringify(PARTIAL_LIMITS)}`,
  'hex',
).slice(0, 16);

/**
 * A checkpoint row's sum: 48 bits of the SHA-256 of its kind, key and JSON. A row that matches was
 * written by a console from its merge (checked then, and canonical), so it is read without the full
 * check; a row cut short, edited by hand or written by an older Glasspane matches once in 2^48 and
 * is checked as a partial from the network is. Not a signature: whoever edits the file on purpose
 * can sum it again (as they could write any valid record).
 */
export function rowSum(kind: string, key: string, json: string): number {
  return parseInt(hash('sha256', `${UNDER}\0${kind}\0${key}\0${json}`, 'hex').slice(0, 12), 16);
}
