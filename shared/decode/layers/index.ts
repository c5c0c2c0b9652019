import type { Layer } from '../layer';
import { arp } from './arp';
import { ayiya } from './ayiya';
import { erspan } from './erspan';
import { ethernet } from './ethernet';
import { gre } from './gre';
import { gtpu } from './gtpu';
import { icmp } from './icmp';
import { icmpv6 } from './icmpv6';
import { ipv4 } from './ipv4';
import { ipv6 } from './ipv6';
import { loopback } from './loopback';
import { nflog } from './nflog';
import { raw } from './raw';
import { sll } from './sll';
import { sll2 } from './sll2';
import { tcp } from './tcp';
import { teredo } from './teredo';
import { udp } from './udp';
import { vlan } from './vlan';
import { vxlan } from './vxlan';

/** Every layer 2-4 dissector, for `new Decoder(LAYERS, apps)`. */
export const LAYERS: readonly Layer[] = [
  ethernet,
  sll,
  sll2,
  raw,
  loopback,
  nflog,
  vlan,
  arp,
  ipv4,
  ipv6,
  icmp,
  icmpv6,
  tcp,
  udp,
  gre,
  erspan,
  vxlan,
  teredo,
  ayiya,
  gtpu,
];
