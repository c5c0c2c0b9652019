/**
 * The contract's forwarding part (the app's SIEM destinations and their queues), apart from
 * contract.ts so the calls that use it stay one line each there.
 */
import { z } from 'zod';
import type { EventKind } from '../forward/events';
import type { Severity } from '../alerts/severity';
import { IPC_LIMITS as L } from './limits';

const KINDS = ['discovered', 'changed', 'not-seen', 'alert', 'snapshot'] as const;
const LEVELS = ['info', 'low', 'medium', 'high', 'critical'] as const;
// The lists above are the forwarding's own (shared/forward/events.ts, shared/alerts/severity.ts).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _kinds: Same<(typeof KINDS)[number], EventKind> = true;
const _levels: Same<(typeof LEVELS)[number], Severity> = true;

const count = z.number().int().nonnegative();
const text = z.string().max(L.text);

/** One destination the app forwards to, and its queue on disk (the numbers of `glasspane forward status`). */
export const forwardDestinationSchema = z.object({
  /** Stable: the queue's folder name (scheme, host, port and a hash of the URI). */
  id: z.string().min(1).max(L.id),
  /** The URI as kept: its filter in `kinds=` and `min-severity=`, secrets only as file paths or variable names. */
  uri: text,
  queued: count,
  sent: count,
  /** Delivery attempts that failed (their records stay queued). */
  failed: count,
  /** Records dropped, oldest first, because the queue was full. */
  dropped: count,
  lastError: text.nullable(),
  lastErrorAt: z.string().max(64).nullable(),
});

export const forwardingStateSchema = z.object({
  destinations: z.array(forwardDestinationSchema).max(L.destinations),
});

export const forwardingCalls = {
  /** The destinations the app forwards to, each with its queue. */
  getForwarding: { request: z.strictObject({}), response: forwardingStateSchema },
  /**
   * Add a destination (kept in the data folder, applied to the running engine at once). Secrets are
   * refused inline: `secret-file=`/`token-file=` or `secret-env=`/`token-env=` only.
   */
  addForwardDestination: {
    request: z.strictObject({
      uri: text.min(1),
      kinds: z.array(z.enum(KINDS)).min(1).max(KINDS.length).optional(),
      minSeverity: z.enum(LEVELS).optional(),
    }),
    response: forwardingStateSchema,
  },
  /** Stop forwarding to a destination; what its queue holds stays on disk. */
  removeForwardDestination: {
    request: z.strictObject({ id: z.string().min(1).max(L.id) }),
    response: forwardingStateSchema,
  },
};

export type ForwardingState = z.infer<typeof forwardingStateSchema>;
export type ForwardDestinationState = z.infer<typeof forwardDestinationSchema>;
