/**
 * Code tables in the style of Wireshark's value_string: a protocol's numeric codes and their names,
 * written once as data beside the dissector (`const CPF_ITEM = values({ 0x00b2: 'Unconnected Data
 * Item', ... })`). Dissectors name codes with `nameOf` and emit the raw code beside the name, so
 * rules can match the number rather than text our own code formatted.
 */
export type ValueTable = ReadonlyMap<number, string>;

/** A table from an object literal keyed by code (decimal or hex keys: both are numbers). */
export function values(entries: Readonly<Record<number, string>>): ValueTable {
  const m = new Map<number, string>();
  for (const k in entries) m.set(Number(k), entries[k]!);
  return m;
}

/** The code's name, or `unknown` (a fallback string, or one made from the code) when the table has none. */
export function nameOf(
  table: ValueTable,
  code: number,
  unknown?: string | ((code: number) => string),
): string {
  const v = table.get(code);
  if (v !== undefined) return v;
  if (unknown === undefined) return String(code);
  return typeof unknown === 'string' ? unknown : unknown(code);
}
