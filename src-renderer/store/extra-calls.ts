/**
 * Calls the renderer can use but the contract (shared/ipc/contract.ts) does not hold yet.
 * Each is proposed for the contract in exactly this shape; until a host answers it, the renderer
 * hides the feature ('unknown-call'). Values are validated here, as contract.ts would.
 */
import { z } from 'zod';
import { IPC_LIMITS as L } from '../../shared/ipc/limits';

const text = z.string().max(L.text);
const id = z.string().min(1).max(L.id);

export const extraCalls = {
  /** Compiles a BPF filter with libpcap (pcap_compile) without starting anything. */
  checkFilter: {
    request: z.strictObject({
      filter: z.string().max(L.filter),
      interfaces: z.array(id).max(L.interfaces).optional(),
    }),
    response: z.object({ ok: z.boolean(), message: text.nullable() }),
  },
} as const;

export type ExtraCallName = keyof typeof extraCalls;
export type ExtraRequest<K extends ExtraCallName> = z.infer<(typeof extraCalls)[K]['request']>;
export type ExtraResponse<K extends ExtraCallName> = z.infer<(typeof extraCalls)[K]['response']>;

export type ExtraResult<T> = { ok: true; value: T } | { ok: false; unsupported: boolean; message: string };

const envelope = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string().max(64), message: text }) }),
]);

/** Checks a raw envelope against the extra call's response schema. */
export function parseExtra<K extends ExtraCallName>(name: K, raw: unknown): ExtraResult<ExtraResponse<K>> {
  const e = envelope.safeParse(raw);
  if (!e.success) return { ok: false, unsupported: false, message: `malformed reply to ${name}` };
  if (!e.data.ok) {
    return { ok: false, unsupported: e.data.error.code === 'unknown-call', message: e.data.error.message };
  }
  const v = (extraCalls[name].response as z.ZodType).safeParse(e.data.value);
  return v.success
    ? { ok: true, value: v.data as ExtraResponse<K> }
    : { ok: false, unsupported: false, message: `bad reply to ${name}` };
}
