/**
 * cap reports the link type as a name for five DLT_ values and as 'Unknown linktype N' (a DLT_
 * number) for the rest. Our decoder speaks LINKTYPE_ numbers (what capture files carry); they equal
 * DLT_ numbers except for a few historical ones, mapped here.
 */
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
} from '../../../shared/decode/linktypes';

const LINKTYPE_IEEE802_11_RADIOTAP = 127;

const BY_NAME: Record<string, number> = {
  NULL: LINKTYPE_NULL,
  ETHERNET: LINKTYPE_ETHERNET,
  IEEE802_11_RADIO: LINKTYPE_IEEE802_11_RADIOTAP,
  LINKTYPE_LINUX_SLL: LINKTYPE_LINUX_SLL,
  RAW: LINKTYPE_RAW,
};

/** DLT_ values that differ from their LINKTYPE_ (pcap-common.c: linktype_map). */
const DLT_TO_LINKTYPE: Record<number, number> = {
  12: LINKTYPE_RAW, // DLT_RAW on most systems
  14: LINKTYPE_RAW, // DLT_RAW on OpenBSD
};

/** Returns the LINKTYPE_ value, or -1 when cap's answer cannot be read. */
export function capLinkType(name: string): number {
  const known = BY_NAME[name];
  if (known !== undefined) return known;
  const m = /^Unknown linktype (\d{1,5})$/.exec(name);
  if (m === null) return -1;
  const dlt = Number(m[1]);
  return DLT_TO_LINKTYPE[dlt] ?? dlt;
}
