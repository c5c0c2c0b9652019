import type { AppProtocol } from '../contract';
import { bacnet } from './bacnet';
import { c37118 } from './c37118';
import { coap } from './coap';
import { dnp3 } from './dnp3';
import { enip } from './enip';
import { ethercat } from './ethercat';
import { fins } from './fins';
import { goose } from './goose';
import { hartip } from './hartip';
import { iec104 } from './iec104';
import { knxip } from './knxip';
import { melsec } from './melsec';
import { mms } from './mms';
import { modbus } from './modbus';
import { mqtt } from './mqtt';
import { opcua } from './opcua';
import { profinet } from './pndcp';
import { roc } from './roc';
import { s7comm } from './s7comm';

/**
 * Every OT / ICS dissector, for `new Decoder(LAYERS, [...OT_PROTOCOLS, ...])`. Order matters only for
 * heuristics (tried in this order): the cheap, strict ones first.
 */
export const OT_PROTOCOLS: readonly AppProtocol[] = [
  enip,
  modbus,
  s7comm,
  bacnet,
  profinet,
  dnp3,
  iec104,
  opcua,
  goose,
  mms,
  mqtt,
  coap,
  knxip,
  hartip,
  fins,
  melsec,
  c37118,
  roc,
  ethercat,
];
