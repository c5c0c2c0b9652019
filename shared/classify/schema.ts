import { z } from 'zod';
import { LOOKUP_NAMES } from './lookups';

/**
 * The rule file format (assets/rules/*.yaml), checked with zod at load. One file per signal family;
 * every rule carries an id, why it is true (source), how sure it is (confidence), what it matches,
 * what it yields, and test cases that fire it and that must not.
 */

/**
 * The schemas, built on first use: building them took a tenth of the start-up of an analysis, and an
 * analysis whose rules come from the validated cache (src-main/classify/load.ts) never needs them.
 */
function build() {
  /** A string test. A bare string means `equals`. Comparisons ignore case unless `case: true`. */
  const matcherObject = z
    .object({
      equals: z.string().optional(),
      in: z.array(z.string()).min(1).optional(),
      prefix: z.string().optional(),
      suffix: z.string().optional(),
      contains: z.string().optional(),
      regex: z.string().optional(),
      case: z.boolean().optional(),
    })
    .strict()
    .refine((m) => [m.equals, m.in, m.prefix, m.suffix, m.contains, m.regex].some((x) => x !== undefined), {
      message: 'a matcher needs one of equals, in, prefix, suffix, contains, regex',
    });
  const matcherSchema = z.union([z.string(), matcherObject]);

  const factCond = z
    .object({
      kind: z.enum([
        'hostname',
        'name-query',
        'address',
        'identity',
        'software',
        'fingerprint',
        'role',
        'service',
        'attribute',
        'neighbor',
        'event',
        'finding',
      ]),
      protocol: matcherSchema.optional(),
      field: matcherSchema.optional(),
      /** identity attr, fingerprint scheme, attribute key, role name, software product, service name. */
      key: matcherSchema.optional(),
      value: matcherSchema.optional(),
    })
    .strict();

  /**
   * A TCP SYN (or SYN-ACK) signature tested field by field (shared/classify/syn-matcher.ts), the fields
   * p0f's README describes: initial TTL, IP option length, MSS, window (a value, a range, or a multiple
   * of the MSS), window scale, option layout and quirks. A field left out accepts any value.
   */
  const count = z.number().int().min(0).max(65535);
  const counts = z.union([count, z.array(count).min(1)]);
  const windowSpec = z.union([
    count,
    z.object({ range: z.tuple([count, count]) }).strict(),
    z.object({ mss: z.number().int().min(1).max(1024) }).strict(),
  ]);
  const initialTtl = z.union([z.literal(32), z.literal(64), z.literal(128), z.literal(255)]);
  const OPTION = '([MNWSKTE]|\\?\\d{1,3})';
  const layout = z
    .string()
    .regex(
      new RegExp(`^(\\*|${OPTION}(,${OPTION})*)$`),
      'an option layout is M N W S K T E or ?<kind>, comma-separated (or * for none)',
    );
  const quirk = z.enum(['df', 'id0', 'ecn']);
  const synSchema = z
    .object({
      /** The SYN-ACK a server answers with, rather than a client's SYN. */
      synack: z.boolean().optional(),
      version: z.union([z.literal(4), z.literal(6)]).optional(),
      /**
       * Initial TTL (32, 64, 128 or 255): the TTL heard matches when it is at most this and at most 35
       * hops below it (p0f's reading; the SYN observer states the hops as `tcp.distance`).
       */
      ttl: z.union([initialTtl, z.array(initialTtl).min(1)]).optional(),
      ipopts: count.optional(),
      mss: counts.optional(),
      window: z.union([windowSpec, z.array(windowSpec).min(1)]).optional(),
      wscale: counts.optional(),
      options: z.union([layout, z.array(layout).min(1)]).optional(),
      quirks: z
        .object({ has: z.array(quirk).min(1).optional(), lacks: z.array(quirk).min(1).optional() })
        .strict()
        .optional(),
    })
    .strict();

  const port = z.number().int().min(0).max(65535);
  const condSchema: z.ZodType<CondSpec> = z.lazy(() =>
    z.union([
      z.object({ all: z.array(condSchema).min(1) }).strict(),
      z.object({ any: z.array(condSchema).min(1) }).strict(),
      z.object({ not: condSchema }).strict(),
      z.object({ fact: factCond }).strict(),
      z.object({ oui: matcherSchema }).strict(),
      z.object({ mac: matcherSchema }).strict(),
      z.object({ serves: z.union([z.array(port).min(1), z.literal('any')]) }).strict(),
      z.object({ protocol: matcherSchema }).strict(),
      z.object({ role: matcherSchema }).strict(),
      z.object({ peers: z.object({ protocol: z.string(), min: z.number().int().min(1) }).strict() }).strict(),
      z.object({ router: z.boolean() }).strict(),
      z.object({ forwards: z.object({ min: z.number().int().min(1) }).strict() }).strict(),
      z.object({ syn: synSchema }).strict(),
    ]),
  );

  /**
   * Templates: `${name}` is a named regex group, `$1`..`$9` numbered groups, `${value}` the matched
   * value. A value may carry its own confidence when the rule is surer of one attribute than another
   * (an NTLM version names the OS for certain, the server-or-workstation question only roughly).
   */
  const yieldValue = z.union([
    z.string(),
    z
      .object({
        value: z.string(),
        confidence: z.number().gt(0).max(1).optional(),
        /** A table (shared/classify/lookups.ts) the filled template is looked up in. */
        lookup: z.enum(LOOKUP_NAMES).optional(),
      })
      .strict()
      .refine((v) => v.confidence !== undefined || v.lookup !== undefined, {
        message: 'give a confidence or a lookup (else write the value alone)',
      }),
  ]);
  const yieldSchema = z
    .object({
      vendor: yieldValue.optional(),
      category: yieldValue.optional(),
      type: yieldValue.optional(),
      model: yieldValue.optional(),
      os: yieldValue.optional(),
      firmware: yieldValue.optional(),
      hostname: yieldValue.optional(),
      role: z.union([z.string(), z.array(z.string())]).optional(),
    })
    .strict()
    .refine((y) => Object.values(y).some((v) => v !== undefined), { message: 'yield is empty' });

  /**
   * A test case: a device described by its facts ("kind/protocol/field/key": value or values) and
   * device-level inputs. `expect` checks yielded values of a firing case.
   */
  const caseSchema = z
    .object({
      facts: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
      oui: z.string().optional(),
      mac: z.string().optional(),
      served: z.array(port).optional(),
      protocols: z.array(z.string()).optional(),
      roles: z.array(z.string()).optional(),
      peers: z.record(z.string(), z.number().int().min(0)).optional(),
      router: z.boolean().optional(),
      forwards: z.number().int().min(0).optional(),
      expect: z.record(z.string(), z.string()).optional(),
    })
    .strict();

  const ruleId = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'ids are lower-case words joined by . _ -');

  /**
   * A lookup table: one rule, many rows. The match's captures fill `key` (default `${value}`, the matched
   * value); the row listing that key (case-insensitive) yields, on top of the rule's own `yield`, with
   * its own confidence if it states one. A row has an id of its own, as a rule has: evidence names it.
   */
  const lookupRow = z
    .object({
      id: ruleId,
      /** Strings, or numbers (ports, codes) that are read as their decimal text. */
      key: z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()])).min(1)]),
      confidence: z.number().gt(0).max(1).optional(),
      yield: yieldSchema,
    })
    .strict();
  const lookupTable = z.object({ key: z.string().optional(), rows: z.array(lookupRow).min(1) }).strict();

  const ruleSchema = z
    .object({
      id: ruleId,
      description: z.string().min(1),
      source: z.string().min(1),
      confidence: z.number().gt(0).max(1),
      match: condSchema,
      yield: yieldSchema.optional(),
      lookup: lookupTable.optional(),
      tests: z
        .object({ fire: z.array(caseSchema).optional(), miss: z.array(caseSchema).optional() })
        .strict()
        .optional(),
    })
    .strict()
    .refine((r) => r.yield !== undefined || r.lookup !== undefined, {
      message: 'a rule needs a yield or a lookup table',
      path: ['yield'],
    });

  const ruleFileSchema = z
    .object({
      family: z.string().regex(/^[a-z0-9-]+$/),
      description: z.string().min(1),
      rules: z.array(ruleSchema),
    })
    .strict();
  return {
    matcherSchema,
    factCond,
    windowSpec,
    synSchema,
    condSchema,
    yieldSchema,
    caseSchema,
    lookupRow,
    ruleSchema,
    ruleFileSchema,
  };
}

type Schemas = ReturnType<typeof build>;
let built: Schemas | undefined;

export function ruleSchemas(): Schemas {
  return (built ??= build());
}

export type MatcherSpec = z.infer<Schemas['matcherSchema']>;
export type FactCondSpec = z.infer<Schemas['factCond']>;
export type WindowSpec = z.infer<Schemas['windowSpec']>;
export type SynSpec = z.infer<Schemas['synSchema']>;
export type CondSpec =
  | { all: CondSpec[] }
  | { any: CondSpec[] }
  | { not: CondSpec }
  | { fact: FactCondSpec }
  | { oui: MatcherSpec }
  | { mac: MatcherSpec }
  | { serves: number[] | 'any' }
  | { protocol: MatcherSpec }
  | { role: MatcherSpec }
  | { peers: { protocol: string; min: number } }
  | { router: boolean }
  | { forwards: { min: number } }
  | { syn: SynSpec };
export type YieldSpec = z.infer<Schemas['yieldSchema']>;
export type CaseSpec = z.infer<Schemas['caseSchema']>;
export type LookupRowSpec = z.infer<Schemas['lookupRow']>;
export type RuleSpec = z.infer<Schemas['ruleSchema']>;
export type RuleFileSpec = z.infer<Schemas['ruleFileSchema']>;
