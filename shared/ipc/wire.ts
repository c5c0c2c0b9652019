/**
 * The WebSocket framing of the contract, for the browser console: one JSON message per frame.
 * The host serves the renderer and this socket on the same origin; the page URL carries a token
 * (`?token=`), random per server and valid for the server's whole lifetime (every page load and
 * reconnect uses it), which the client sends in its first message (browsers cannot set
 * headers on a WebSocket, and a token in the socket URL would end up in logs).
 *
 *   client -> host   { t: 'hello', protocol, token }          first message, within HELLO_TIMEOUT_MS
 *   host -> client   { t: 'welcome', protocol }               or a close with CLOSE_CODES.unauthorized
 *   client -> host   { t: 'call', id, name, payload }
 *   host -> client   { t: 'result', id, result }              result is a CallResult envelope
 *   host -> client   { t: 'event', name, payload }
 *
 * Each side validates what it receives with these schemas, then the payload with contract.ts.
 */
import { z } from 'zod';
import { IPC_LIMITS } from './limits';

export const WIRE_PROTOCOL = 1;
export const WS_PATH = '/ws';
export const HELLO_TIMEOUT_MS = 5_000;
/** Largest frame either side accepts; a snapshot of a very large inventory is the biggest message. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** Calls a client may have outstanding at once. */
export const MAX_PENDING_CALLS = 64;

export const CLOSE_CODES = {
  badMessage: 4400,
  unauthorized: 4401,
  protocolMismatch: 4409,
} as const;

const callId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const name = z.string().min(1).max(64);

export const clientMessageSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('hello'),
    protocol: z.number().int(),
    token: z.string().min(1).max(IPC_LIMITS.id),
  }),
  z.object({ t: z.literal('call'), id: callId, name, payload: z.unknown() }),
]);

export const hostMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('welcome'), protocol: z.number().int() }),
  z.object({ t: z.literal('result'), id: callId, result: z.unknown() }),
  z.object({ t: z.literal('event'), name, payload: z.unknown() }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type HostMessage = z.infer<typeof hostMessageSchema>;
