import type { AppProtocol } from '../contract';
import { dhcp } from './dhcp';
import { dhcpv6 } from './dhcpv6';
import { dns, llmnr, mdns } from './dns';
import { nbdgm, nbns } from './netbios';
import { ssdp } from './ssdp';
import { wsd } from './wsd';
import { lldp } from './lldp';
import { cdp } from './cdp';
import { stp } from './stp';
import { http } from './http';
import { tls } from './tls';
import { quic } from './quic';
import { ssh } from './ssh';
import { smtp } from './smtp';
import { imap } from './imap';
import { pop3 } from './pop3';
import { rdp } from './rdp';
import { smb } from './smb';
import { dcerpc } from './dcerpc';
import { ldap } from './ldap';
import { snmp } from './snmp';
import { sip } from './sip';
import { ntp } from './ntp';
import { ubiquiti } from './ubiquiti';
import { tplink } from './tplink';

export { tcpSignature } from './tcp-signature';

/**
 * IT and IoT identity dissectors, registered by port / EtherType / LLC / SNAP. Order matters only
 * for heuristics (tried in this order on unclaimed TCP payloads): TLS and SSH check exact shapes
 * before HTTP's request-line scan.
 */
export const IT_PROTOCOLS: readonly AppProtocol[] = [
  dhcp,
  dhcpv6,
  dns,
  mdns,
  llmnr,
  nbns,
  nbdgm,
  ssdp,
  wsd,
  lldp,
  cdp,
  stp,
  tls,
  quic,
  ssh,
  http,
  smtp,
  imap,
  pop3,
  rdp,
  smb,
  dcerpc,
  ldap,
  snmp,
  sip,
  ntp,
  ubiquiti,
  tplink,
];
