import type { Packet } from '../decode/packet';
import type { Observation } from '../model/observation';
import type { AppProtocol } from './contract';
import { OT_PROTOCOLS } from './ot';

/** Every application and L2-discovery dissector, in registration order (earlier wins a shared port). */
export const APP_PROTOCOLS: readonly AppProtocol[] = [...OT_PROTOCOLS];

/** Per-packet observers of TCP SYN and SYN-ACK segments (OS fingerprints). */
export const SYN_OBSERVERS: readonly ((p: Packet) => Observation | null)[] = [];
