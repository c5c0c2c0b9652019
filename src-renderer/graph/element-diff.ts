/**
 * What changed in a drawn element: the fields of the new model that differ from what cytoscape
 * holds. Compare and write use the same field lists, and those lists are checked against NodeData
 * and EdgeData by the compiler, so a field cannot be written without being compared (a Purdue level
 * or a search text that changed alone was once skipped) or added without being listed.
 */
import type { EdgeData, NodeData } from './model';

// id names the element; parent is a move (a change of shape), applied apart.
const NODE_FIELDS = Object.keys({
  label: 1,
  kind: 1,
  color: 1,
  icon: 1,
  subnet: 1,
  level: 1,
  count: 1,
  search: 1,
} satisfies Record<Exclude<keyof NodeData, 'id' | 'parent'>, 1>) as readonly (keyof NodeData)[];

// id, source and target name the edge.
const EDGE_FIELDS = Object.keys({
  bytes: 1,
  width: 1,
  protocols: 1,
} satisfies Record<Exclude<keyof EdgeData, 'id' | 'source' | 'target'>, 1>) as readonly (keyof EdgeData)[];

function changes<T extends object>(
  fields: readonly (keyof T)[],
  drawn: Readonly<Record<string, unknown>>,
  next: T,
): Partial<T> | null {
  let out: Partial<T> | null = null;
  for (const f of fields) {
    // Object.is: a level of null and a count of NaN compare as themselves.
    if (!Object.is(drawn[f as string], next[f])) {
      out ??= {};
      out[f] = next[f];
    }
  }
  return out;
}

/** The node fields to write, or null when the drawn node already matches. */
export const nodeChanges = (
  drawn: Readonly<Record<string, unknown>>,
  next: NodeData,
): Partial<NodeData> | null => changes(NODE_FIELDS, drawn, next);

/** The edge fields to write, or null when the drawn edge already matches. */
export const edgeChanges = (
  drawn: Readonly<Record<string, unknown>>,
  next: EdgeData,
): Partial<EdgeData> | null => changes(EDGE_FIELDS, drawn, next);
