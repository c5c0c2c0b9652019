/** pcap LINKTYPE_ values (tcpdump.org link-layer header types) that Glasspane decodes. */
export const LINKTYPE_NULL = 0; // BSD loopback, host byte order
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW_OLD = 12; // some BSDs used 12 (DLT_RAW) for raw IP
export const LINKTYPE_RAW_OLD2 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108; // OpenBSD loopback, network byte order
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

/**
 * Names of common link types, for saying which one a capture used when it is not read (from
 * tcpdump.org's list of link-layer header types).
 */
const LINKTYPE_NAMES: Record<number, string> = {
  0: 'NULL',
  1: 'ETHERNET',
  6: 'IEEE802_5',
  9: 'PPP',
  10: 'FDDI',
  50: 'PPP_HDLC',
  51: 'PPP_ETHER',
  104: 'C_HDLC',
  105: 'IEEE802_11',
  107: 'FRELAY',
  113: 'LINUX_SLL',
  114: 'LTALK',
  119: 'IEEE802_11_PRISM',
  127: 'IEEE802_11_RADIOTAP',
  138: 'APPLE_IP_OVER_IEEE1394',
  143: 'DOCSIS',
  147: 'USER0',
  163: 'IEEE802_11_AVS',
  187: 'BLUETOOTH_HCI_H4',
  189: 'USB_LINUX',
  192: 'PPI',
  195: 'IEEE802_15_4_WITHFCS',
  201: 'BLUETOOTH_HCI_H4_WITH_PHDR',
  215: 'IEEE802_15_4_NONASK_PHY',
  220: 'USB_LINUX_MMAPPED',
  227: 'CAN_SOCKETCAN',
  230: 'IEEE802_15_4_NOFCS',
  239: 'NFLOG',
  249: 'USBPCAP',
  251: 'BLUETOOTH_LE_LL',
  252: 'WIRESHARK_UPPER_PDU',
  253: 'NETLINK',
  254: 'BLUETOOTH_LINUX_MONITOR',
  256: 'BLUETOOTH_LE_LL_WITH_PHDR',
  283: 'IEEE802_15_4_TAP',
  290: 'ETW',
};

/** "239 (NFLOG)", or the bare number for a link type without a known name. */
export function linkTypeLabel(lt: number): string {
  const n = LINKTYPE_NAMES[lt];
  return n === undefined ? String(lt) : `${lt} (${n})`;
}
