import { windowsName } from './windows';

/**
 * Named tables a rule's yield can pass its filled template through (`{ value: '${v}|', lookup: windows }`),
 * for facts that map to names by a table rather than by one rule per row. A lookup returning null
 * yields nothing for that attribute.
 */
export const LOOKUPS = {
  windows: windowsName,
} as const satisfies Record<string, (filled: string) => string | null>;

export type LookupName = keyof typeof LOOKUPS;
export const LOOKUP_NAMES = Object.keys(LOOKUPS) as [LookupName, ...LookupName[]];
