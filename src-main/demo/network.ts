/**
 * Who is on the demo network: an office (192.168.10.0/24) and a plant cell (192.168.20.0/24) seen
 * from one mirror port, a router between them and the Internet. The MAC prefixes are real IEEE
 * assignments, so the vendor column shows something; every name and serial is invented.
 */
import type { Host } from './wire';

const h = (name: string, mac: string, ip: string, ttl = 64): Host => ({ name, mac, ip, ttl });

export const NET = {
  router: h('gw-office', '00:0d:b9:4a:11:01', '192.168.10.1'),
  /** The router's leg in the plant subnet: the same box, another interface MAC. */
  routerPlant: h('gw-plant', '00:0d:b9:4a:11:02', '192.168.20.1'),
  switch: h('core-sw1', '00:00:0c:9f:30:01', '192.168.10.2', 255),

  // Office: DHCP clients.
  ws1: h('ACCT-PC01', '00:14:22:5e:a0:11', '192.168.10.101', 128),
  ws2: h('ENG-LT07', '80:96:21:3c:77:02', '192.168.10.102', 128),
  mac1: h('Annas-MacBook-Pro', '84:85:06:1d:c4:33', '192.168.10.103', 64),
  printer: h('HP-LJ-M404', '50:81:40:2a:90:5e', '192.168.10.50'),
  tv: h('Meeting-Room-TV', '10:30:47:88:21:0f', '192.168.10.60'),

  // Plant cell.
  hmi: h('HMI-LINE1', '00:d0:c9:a1:b2:c3', '192.168.20.10', 128),
  eng: h('ENG-WS02', 'f0:d4:e2:19:55:7a', '192.168.20.11', 128),
  plc1: h('PLC-M340', '00:80:f4:0b:3c:21', '192.168.20.21'),
  plc2: h('PLC-WAGO', '00:30:de:0a:91:44', '192.168.20.22'),
  plc3: h('PLC-LOGIX', '00:00:bc:6e:12:ab', '192.168.20.30'),
  plc4: h('PLC-S7', '00:1b:1b:77:40:08', '192.168.20.40', 30),
  bms: h('BMS-CTRL3', '00:10:8d:21:07:e5', '192.168.20.50'),
} as const;

/** Internet peers, reached through the router (their frames carry the router's MAC). */
export const INTERNET = [
  { name: 'updates.example.com', ip: '203.0.113.10' },
  { name: 'mail.example.net', ip: '198.51.100.25' },
  { name: 'cdn.example.org', ip: '192.0.2.80' },
  { name: 'time.example.com', ip: '203.0.113.123' },
] as const;

export const DNS_SERVER = NET.router;

/** What the devices say about themselves, in the protocols that carry it. */
export const IDENTITY = {
  /** Modbus 43/14 objects 0..2: vendor, product code, revision. */
  plc1: ['Schneider Electric', 'BMX P34 2020', 'v3.40'],
  /** EtherNet/IP Identity object (vendor 1 and device type 14 are ODVA's codes for Rockwell and a PLC). */
  plc3: {
    vendorId: 1,
    deviceType: 14,
    productCode: 166,
    revision: [33, 11] as [number, number],
    serial: 0x60a1b2c3,
    productName: '1769-L33ER/A LOGIX5333ER',
  },
  /** S7 SZL 0x0011: order number, and firmware V3.2.6 as the 0x0007 record encodes it. */
  plc4: { orderNumber: '6ES7 315-2EH14-0AB0', firmware: [3, 2, 6] as [number, number, number] },
  /** BACnet device instance and ASHRAE vendor id. */
  bms: { instance: 260_001, vendorId: 5 },
  printer: { model: 'HP LaserJet Pro M404dn', mdnsHost: 'HP-LJ-M404.local' },
  switch: { systemName: 'core-sw1.plant.example', portId: 'Gi1/0/48' },
  tv: { server: 'Linux/4.1.10 UPnP/1.0 Samsung UPnP SDK/1.0', uuid: '0d3c9a52-6f1e-4c1a-9b7e-10304788210f' },
} as const;
