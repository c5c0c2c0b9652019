import { values } from '../common/values';

/**
 * EtherNet/IP Common Packet Format item types (CIP Networks Library Vol. 2, table 2-6.3; Wireshark's
 * cpf_type_vals): the codes enip.ts dispatches on, by name, and their names for messages.
 */
export const CPF = {
  NULL_ADDRESS: 0x0000,
  LIST_IDENTITY: 0x000c,
  CONNECTED_ADDRESS: 0x00a1,
  CONNECTED_DATA: 0x00b1,
  UNCONNECTED_DATA: 0x00b2,
  LIST_SERVICES: 0x0100,
  SOCKADDR_O2T: 0x8000,
  SOCKADDR_T2O: 0x8001,
  SEQUENCED_ADDRESS: 0x8002,
} as const;

export const CPF_ITEM_NAMES = values({
  [CPF.NULL_ADDRESS]: 'Null Address Item',
  [CPF.LIST_IDENTITY]: 'CIP Identity',
  [CPF.CONNECTED_ADDRESS]: 'Connected Address Item',
  [CPF.CONNECTED_DATA]: 'Connected Data Item',
  [CPF.UNCONNECTED_DATA]: 'Unconnected Data Item',
  [CPF.LIST_SERVICES]: 'List Services Response',
  [CPF.SOCKADDR_O2T]: 'Socket Address Info O->T',
  [CPF.SOCKADDR_T2O]: 'Socket Address Info T->O',
  [CPF.SEQUENCED_ADDRESS]: 'Sequenced Address Item',
});
