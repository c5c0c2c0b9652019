/**
 * Glasspane's own demo capture: a few minutes of a small office and plant network, built frame by
 * frame from a seed (same seed, same bytes). It holds what the dissectors look for: DHCP with host
 * names and fingerprints, an mDNS printer, an SSDP TV, an LLDP switch, a router with Internet peers,
 * Modbus polling with a device-identification reply, an EtherNet/IP ListIdentity, an S7comm setup
 * with a module-identification read, and BACnet Who-Is / I-Am.
 */
import { concat, u16, type Bytes } from './bytes';
import { BACNET_PORT, iAm, whoIs } from './frames/bacnet';
import { DHCP, dhcpMessage } from './frames/dhcp';
import { ENIP_PORT, listIdentityReply, listIdentityRequest } from './frames/enip';
import { lldpFrame } from './frames/lldp';
import { dnsAnswer, dnsQuery, mdnsAnnouncement } from './frames/mdns';
import { deviceIdReply, deviceIdRequest, readHoldingReply, readHoldingRequest } from './frames/modbus';
import { cotpConnect, S7_PORT, setupAck, setupJob, szlModuleReply, szlRequest } from './frames/s7comm';
import { ssdpNotify, ssdpSearch } from './frames/ssdp';
import { DNS_SERVER, IDENTITY, INTERNET, NET } from './network';
import { pcapBytes } from '../capture/pcap-writer';
import { Rng } from './rng';
import { BROADCAST_MAC, TcpSession, Wire, type Host } from './wire';

export interface DemoOptions {
  seed?: number;
  /** Capture start, ms since the epoch. */
  startMs?: number;
  /** Length of the capture, seconds. */
  durationS?: number;
}

export const DEMO_DEFAULTS = {
  seed: 0x6c455,
  startMs: Date.UTC(2026, 2, 2, 7, 30, 0),
  durationS: 240,
} as const;

const LLDP_MAC = '01:80:c2:00:00:0e';
const MDNS = { mac: '01:00:5e:00:00:fb', ip: '224.0.0.251' };
const SSDP = { mac: '01:00:5e:7f:ff:fa', ip: '239.255.255.250' };
const BCAST = { mac: BROADCAST_MAC, ip: '255.255.255.255' };

/** Windows 10/11's DHCP parameter request list, and a macOS one. */
const WINDOWS_PRL = [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252];
const MACOS_PRL = [1, 121, 3, 6, 15, 108, 114, 119, 252, 95, 44, 46];

interface Scheduled {
  ms: number;
  run(): void;
}

export function generateDemoFrames(o: DemoOptions = {}): Wire {
  const seed = o.seed ?? DEMO_DEFAULTS.seed;
  const startMs = o.startMs ?? DEMO_DEFAULTS.startMs;
  const durationMs = (o.durationS ?? DEMO_DEFAULTS.durationS) * 1000;
  const rng = new Rng(seed);
  const w = new Wire(startMs, rng);
  const plan: Scheduled[] = [];
  const at = (ms: number, run: () => void) => plan.push({ ms, run });
  const every = (first: number, periodMs: number, run: (i: number) => void) => {
    for (let t = first, i = 0; t < durationMs; t += periodMs, i++) at(t, () => run(i));
  };

  // The switch advertises itself on the mirror port every 30 s.
  every(200, 30_000, () =>
    w.raw(
      LLDP_MAC,
      NET.switch.mac,
      0x88cc,
      lldpFrame({
        chassisMac: NET.switch.mac,
        portId: IDENTITY.switch.portId,
        portDescription: 'GigabitEthernet1/0/48 span',
        systemName: IDENTITY.switch.systemName,
        systemDescription: 'Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8',
        mgmtIp: NET.switch.ip,
      }),
    ),
  );

  // Office clients join with DHCP, then browse the Internet through the router.
  const clients: [Host, string, number[]][] = [
    [NET.ws1, 'MSFT 5.0', WINDOWS_PRL],
    [NET.ws2, 'MSFT 5.0', WINDOWS_PRL],
    [NET.mac1, '', MACOS_PRL],
  ];
  clients.forEach(([c, vendorClass, prl], i) => {
    at(1_000 + i * 7_000, () => dhcpJoin(w, c, vendorClass, prl));
    every(4_000 + i * 7_000, 17_000 + i * 3_000, (n) =>
      browse(w, c, INTERNET[(n + i) % INTERNET.length]!, n),
    );
  });
  at(9_500, () => w.udp(NET.ws2, SSDP, 50_000 + rng.int(0, 9999), 1900, ssdpSearch('ssdp:all'), 1));

  // The printer announces its IPP service; the TV its UPnP renderer.
  every(3_000, 60_000, () =>
    w.udp(
      NET.printer,
      MDNS,
      5353,
      5353,
      mdnsAnnouncement({
        instance: `${IDENTITY.printer.model} (2A905E)`,
        service: '_ipp._tcp.local',
        host: IDENTITY.printer.mdnsHost,
        ip: NET.printer.ip,
        port: 631,
        txt: [
          'txtvers=1',
          `ty=${IDENTITY.printer.model}`,
          `product=(${IDENTITY.printer.model})`,
          'note=2nd floor',
        ],
      }),
      255,
    ),
  );
  every(5_000, 30_000, () => {
    const uuid = IDENTITY.tv.uuid;
    for (const nt of ['upnp:rootdevice', `uuid:${uuid}`, 'urn:schemas-upnp-org:device:MediaRenderer:1']) {
      w.udp(
        NET.tv,
        SSDP,
        1900,
        1900,
        ssdpNotify({
          location: `http://${NET.tv.ip}:9197/dmr`,
          server: IDENTITY.tv.server,
          nt,
          uuid,
        }),
        4,
      );
      w.after(300);
    }
  });

  // Plant: the HMI polls two PLCs over Modbus/TCP, and asks the first for its identity.
  let transaction = 1;
  const m1 = () => new TcpSession(w, NET.hmi, NET.plc1, 49_700 + rng.int(0, 200), 502);
  const m2 = () => new TcpSession(w, NET.hmi, NET.plc2, 50_100 + rng.int(0, 200), 502);
  let s1: TcpSession | null = null;
  let s2: TcpSession | null = null;
  at(2_000, () => (s1 = m1().open()));
  at(2_100, () => (s2 = m2().open()));
  at(2_600, () =>
    s1!.exchange(deviceIdRequest(transaction++, 1), deviceIdReply(transaction - 1, 1, [...IDENTITY.plc1])),
  );
  every(3_000, 2_000, (n) => {
    const vals = (k: number) =>
      Array.from({ length: 10 }, (_, i) => (1000 + i * 37 + n * k + rng.int(0, 9)) & 0xffff);
    s1!.exchange(readHoldingRequest(transaction++, 1, 0, 10), readHoldingReply(transaction - 1, 1, vals(3)));
    w.after(rng.int(3_000, 9_000));
    s2!.exchange(
      readHoldingRequest(transaction++, 1, 400, 10),
      readHoldingReply(transaction - 1, 1, vals(5)),
    );
  });

  // The engineering station looks for EtherNet/IP devices; the Logix PLC answers.
  every(20_000, 90_000, (n) => {
    const ctx = 0x1000 + n;
    const port = 52_000 + n;
    w.udp(NET.eng, BCAST, port, ENIP_PORT, listIdentityRequest(ctx));
    w.after(rng.int(800, 3_000));
    w.udp(NET.plc3, NET.eng, ENIP_PORT, port, listIdentityReply(ctx, { ip: NET.plc3.ip, ...IDENTITY.plc3 }));
  });

  // ... and opens an S7 session to the Siemens CPU, reading its module identification.
  at(30_000, () => {
    const order = IDENTITY.plc4.orderNumber;
    const fw = IDENTITY.plc4.firmware;
    const s = new TcpSession(w, NET.eng, NET.plc4, 51_234, S7_PORT).open();
    s.exchange(cotpConnect(false), cotpConnect(true), 1500);
    s.exchange(setupJob(1), setupAck(1), 3000);
    s.exchange(
      szlRequest(2, 0x0011, 0),
      szlModuleReply(2, [
        { index: 1, orderNumber: order, ausbg: 0x0004, ausbe: 0x0004 },
        { index: 6, orderNumber: order, ausbg: 0x0004, ausbe: 0x0004 },
        // Firmware: 'V' and the major version, then minor and patch.
        { index: 7, orderNumber: '', ausbg: (0x56 << 8) | fw[0], ausbe: (fw[1] << 8) | fw[2] },
      ]),
      4000,
    );
    s.close();
  });

  // Building automation: the controller answers Who-Is and re-announces itself.
  at(15_000, () => w.udp(NET.eng, BCAST, BACNET_PORT, BACNET_PORT, whoIs()));
  every(15_200, 60_000, () =>
    w.udp(NET.bms, BCAST, BACNET_PORT, BACNET_PORT, iAm(IDENTITY.bms.instance, IDENTITY.bms.vendorId)),
  );

  // ARP: who-has the gateways, now and then.
  every(500, 45_000, (n) => {
    const c = [NET.ws1, NET.ws2, NET.mac1, NET.printer, NET.tv][n % 5]!;
    w.arp(1, c, NET.router);
    w.after(300);
    w.arp(2, NET.router, c);
  });
  every(700, 50_000, () => {
    w.arp(1, NET.hmi, NET.routerPlant);
    w.after(250);
    w.arp(2, NET.routerPlant, NET.hmi);
  });

  // Stable order: by time, then by the order they were planned.
  plan
    .map((p, i) => ({ ...p, i }))
    .sort((a, b) => a.ms - b.ms || a.i - b.i)
    .forEach((p) => {
      w.at(p.ms, startMs);
      p.run();
    });
  return w;
}

function dhcpJoin(w: Wire, c: Host, vendorClass: string, paramList: number[]): void {
  const xid = w.rng.int(1, 0xffffffff) >>> 0;
  const server = NET.router;
  const client = { ...c, ip: '0.0.0.0' };
  const common = {
    xid,
    clientMac: c.mac,
    hostname: c.name,
    vendorClass: vendorClass || undefined,
    paramList,
  };
  const lease = { serverId: server.ip, router: server.ip, dns: DNS_SERVER.ip, lease: 86_400 };
  w.udp(client, BCAST, 68, 67, dhcpMessage({ op: 1, type: DHCP.DISCOVER, ...common }));
  w.after(w.rng.int(2_000, 20_000));
  w.udp(
    server,
    { mac: c.mac, ip: c.ip },
    67,
    68,
    dhcpMessage({
      op: 2,
      type: DHCP.OFFER,
      xid,
      clientMac: c.mac,
      yiaddr: c.ip,
      siaddr: server.ip,
      ...lease,
    }),
  );
  w.after(w.rng.int(2_000, 20_000));
  w.udp(
    client,
    BCAST,
    68,
    67,
    dhcpMessage({ op: 1, type: DHCP.REQUEST, ...common, requestedIp: c.ip, serverId: server.ip }),
  );
  w.after(w.rng.int(2_000, 20_000));
  w.udp(
    server,
    { mac: c.mac, ip: c.ip },
    67,
    68,
    dhcpMessage({ op: 2, type: DHCP.ACK, xid, clientMac: c.mac, yiaddr: c.ip, siaddr: server.ip, ...lease }),
  );
}

/** A DNS lookup through the router, then an HTTPS-shaped session to the answer. */
function browse(w: Wire, c: Host, peer: { name: string; ip: string }, n: number): void {
  const id = w.rng.int(1, 0xffff);
  const sport = 50_000 + w.rng.int(0, 15_000);
  w.udp(c, DNS_SERVER, sport, 53, dnsQuery(id, peer.name));
  w.after(w.rng.int(5_000, 30_000));
  w.udp(DNS_SERVER, c, 53, sport, dnsAnswer(id, peer.name, peer.ip));
  const remote: Host = { name: peer.name, mac: NET.router.mac, ip: peer.ip, ttl: 52 };
  // The router forwards with its own MAC; the client sees the peer's TTL minus the hops.
  const s = new TcpSession(w, c, remote, 49_152 + ((n * 7919 + sport) % 16_000), 443).open(18_000);
  for (let i = 0; i < 2 + (n % 3); i++) {
    s.exchange(
      tlsRecord(w, 80 + w.rng.int(0, 400)),
      tlsRecord(w, 200 + w.rng.int(0, 1100)),
      w.rng.int(15_000, 60_000),
    );
  }
  s.close();
}

/** Opaque TLS 1.2 application data: a record header and seeded bytes. */
function tlsRecord(w: Wire, len: number): Bytes {
  return concat([0x17, 3, 3], u16(len), w.rng.bytes(len));
}

export function generateDemoCapture(o: DemoOptions = {}): Buffer {
  const records = generateDemoFrames(o).records;
  return pcapBytes({ snaplen: 65535 }, (w) => {
    for (const r of records) w.add(r.data, Math.floor(r.tsUs / 1e6), r.tsUs % 1e6);
  });
}
