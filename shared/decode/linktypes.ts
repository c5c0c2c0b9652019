/** pcap LINKTYPE_ values (tcpdump.org link-layer header types) that Glasspane decodes. */
export const LINKTYPE_NULL = 0; // BSD loopback, host byte order
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW_OLD = 12; // some BSDs used 12 (DLT_RAW) for raw IP
export const LINKTYPE_RAW_OLD2 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108; // OpenBSD loopback, network byte order
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;
