import { hash } from 'node:crypto';
import { PARTIAL_LIMITS } from '../../shared/inventory/partial-limits';
import { PARTIAL_CHECKS } from '../../shared/inventory/partial-schema';
import { PARTIAL_VERSION } from '../../shared/inventory/partial-types';

/**
 * What a checkpoint row's sum covers besides the row: the record format and the checks it passed,
 * so that rows written under other ones no longer match and are checked in full.
 */
const UNDER = `glasspane checkpoint row\0${PARTIAL_VERSION}\0${PARTIAL_CHECKS}\0${JSON.stringify(PARTIAL_LIMITS)}\0`;

/**
 * A checkpoint row's sum: 48 bits of the SHA-256 of its kind, key and JSON. A row that matches was
 * written by a console from its merge (checked then, and canonical), so it is read without the full
 * check; a row cut short, edited by hand or written by an older Glasspane matches once in 2^48 and
 * is checked as a partial from the network is. Not a signature: whoever edits the file on purpose
 * can sum it again (as they could write any valid record).
 */
export function rowSum(kind: string, key: string, json: string): number {
  return parseInt(hash('sha256', `${UNDER}${kind}\0${key}\0${json}`, 'hex').slice(0, 12), 16);
}
