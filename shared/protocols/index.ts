import type { AppProtocol } from './contract';
import { IT_PROTOCOLS, tcpSignature } from './it';
import { TCP_SIGNATURE_VOCABULARY, type SynObserver } from './it/tcp-signature';
import { OT_PROTOCOLS } from './ot';
import { declaredProtocols, type Declared } from './vocabulary';

/**
 * Every application and L2-discovery dissector. Where two claim the same port the earlier wins the
 * port table; the other still sees the flow through its heuristic when it has one. OT first: on
 * shared ports (102: S7comm and MMS) the OT dissectors validate their own headers.
 */
export const APP_PROTOCOLS: readonly AppProtocol[] = [...OT_PROTOCOLS, ...IT_PROTOCOLS];

/** Per-packet observers of TCP SYN and SYN-ACK segments (OS fingerprints). */
export const SYN_OBSERVERS: readonly SynObserver[] = [tcpSignature];

/**
 * Every protocol name observations carry, with the dissector that emits it, its group and what it
 * can say: the source of `rules check`'s names and of the report's OT list.
 */
export const DECLARED: ReadonlyMap<string, Declared> = declaredProtocols(APP_PROTOCOLS, [
  { protocol: 'tcp', app: 'tcp-syn', group: 'it', vocabulary: TCP_SIGNATURE_VOCABULARY },
]);
