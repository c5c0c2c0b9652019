/**
 * The decoded lower layers of one frame. The decoder owns one Packet and resets it for every
 * frame, so the hot loop allocates nothing for what it does not keep. Numbers stand for addresses
 * where they fit exactly: a MAC is a 48-bit number, an IPv4 address an unsigned 32-bit number.
 * -1 means "absent" for numeric fields.
 */
export class Packet {
  /** 1-based frame number within the source. */
  frame = 0;
  /** Capture time, milliseconds since the epoch (fractional). */
  ts = 0;
  linkType = 0;
  /** Bytes captured and bytes on the wire. */
  capLen = 0;
  wireLen = 0;
  /** Interface index within the source (pcapng), 0 otherwise. */
  iface = 0;

  srcMac = -1;
  dstMac = -1;
  etherType = -1;
  /** 802.1Q/802.1ad tags, outermost first. */
  vlanCount = 0;
  readonly vlans = [0, 0, 0, 0];
  /** How many tunnel encapsulations were removed (GRE, ERSPAN, VXLAN, Teredo, AYIYA, GTP-U). */
  tunnels = 0;

  arpOp = -1;
  arpSha = -1;
  arpSpa = -1;
  arpTha = -1;
  arpTpa = -1;

  /** 0 when the frame carried no IP. For a tunnel, the innermost IP header wins. */
  ipVersion = 0;
  src4 = 0;
  dst4 = 0;
  /** IPv6 addresses in canonical text form, built only for IPv6 packets. */
  src6 = '';
  dst6 = '';
  ttl = -1;
  ipId = -1;
  dontFragment = false;
  moreFragments = false;
  /** Fragment offset in bytes; a non-zero offset means a later fragment, which is counted, not decoded. */
  fragOffset = 0;
  ecn = 0;
  ipProto = -1;
  ipHeaderLen = 0;
  /** IPv4 options present (count of option bytes). */
  ipOptionBytes = 0;

  srcPort = -1;
  dstPort = -1;
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpWindow = -1;
  tcpMss = -1;
  tcpWscale = -1;
  tcpSackPermitted = false;
  tcpTimestamp = false;
  /**
   * TCP option kinds in order, as a compact string ("M,N,W,N,N,T,S,E" style: M=MSS, N=NOP, W=wscale,
   * S=SACK permitted, K=SACK, T=timestamps, E=EOL, ?<kind>=other). Built for SYN segments only, for OS
   * fingerprints.
   */
  tcpOptionLayout = '';

  icmpType = -1;
  icmpCode = -1;
  /** ICMPv6 neighbour discovery: target address, and the link-layer address option (as a MAC number). */
  ndTarget = '';
  ndLinkAddr = -1;
  /** Router advertisement: router lifetime in seconds (-1 when absent). */
  raLifetime = -1;

  /** Application payload (after TCP/UDP), as offsets into `buf`. */
  buf: Uint8Array = new Uint8Array(0);
  payloadStart = 0;
  payloadEnd = 0;

  /** Protocol names seen in this frame, outermost first; `protoCount` of `protos` are valid. */
  readonly protos: string[] = new Array<string>(32).fill('');
  protoCount = 0;

  /** Why the frame was malformed, or '' when it decoded cleanly. */
  malformed = '';
  /** A later IP fragment: counted, not decoded further. */
  laterFragment = false;
  /**
   * The outermost IPv4 source of an IP-in-UDP tunnel (Teredo, AYIYA, GTP-U, GRE-in-UDP), else 0: the
   * tunnel endpoint's own address on this link, which the inventory keeps beside the inner addresses.
   */
  tunnelSrc4 = 0;

  constructor() {
    // Fields that will hold 48-bit MACs, unsigned 32-bit addresses and sequence numbers, or fractional
    // times start as doubles: in V8 a field that starts as a small integer and later holds a larger
    // number changes the object's hidden class, which throws the optimised packet loop away.
    const wide = 2 ** 40 + 0.5;
    this.ts = this.srcMac = this.dstMac = this.arpSha = this.arpTha = this.arpSpa = this.arpTpa = wide;
    this.src4 = this.dst4 = this.tcpSeq = this.tcpAck = this.ndLinkAddr = this.tunnelSrc4 = wide;
    this.ts = 0;
    this.reset();
  }

  reset(): void {
    this.resetLayers();
    this.tunnels = 0;
    this.tunnelSrc4 = 0;
    this.payloadStart = this.payloadEnd = 0;
    this.protoCount = 0;
    this.malformed = '';
    this.laterFragment = false;
  }

  /**
   * Forget what was recorded from layer 2 up: done per frame, and before a tunnel's inner frame is
   * decoded, so the Packet then describes the inner frame alone (an inner ARP must not pair the
   * inner MAC with the outer IP). Tunnel count, protocol list and malformed reason are kept.
   */
  resetLayers(): void {
    this.srcMac = this.dstMac = this.etherType = -1;
    this.vlanCount = 0;
    this.arpOp = this.arpSha = this.arpSpa = this.arpTha = this.arpTpa = -1;
    this.ipVersion = 0;
    this.src4 = this.dst4 = 0;
    this.src6 = this.dst6 = '';
    this.ttl = this.ipId = -1;
    this.dontFragment = this.moreFragments = false;
    this.fragOffset = this.ecn = 0;
    this.ipProto = -1;
    this.ipHeaderLen = this.ipOptionBytes = 0;
    this.srcPort = this.dstPort = -1;
    this.tcpFlags = this.tcpSeq = this.tcpAck = 0;
    this.tcpWindow = this.tcpMss = this.tcpWscale = -1;
    this.tcpSackPermitted = this.tcpTimestamp = false;
    this.tcpOptionLayout = '';
    this.icmpType = this.icmpCode = -1;
    this.ndTarget = '';
    this.ndLinkAddr = this.raLifetime = -1;
  }

  addProto(name: string): void {
    if (this.protoCount < 32) this.protos[this.protoCount++] = name;
  }

  hasProto(name: string): boolean {
    for (let i = 0; i < this.protoCount; i++) if (this.protos[i] === name) return true;
    return false;
  }

  /** Record the first reason the frame is malformed (later ones are usually consequences). */
  markMalformed(reason: string): void {
    if (this.malformed === '') this.malformed = reason;
  }
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;
