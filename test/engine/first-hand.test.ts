/**
 * A fact a host states about its own address, in the first frame it sends from it (a DHCP server
 * naming itself the router and DNS server): the frame's accounting binds the address to the sender's
 * MAC right after, so the fact goes to that device, not to a device of the address alone beside it
 * (shared/engine/analyzer.ts, firstHand). 15 corpus captures had such a duplicate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { dhcpMessage, DHCP } from '../../src-main/demo/frames/dhcp';
import { arp, ethernet, udpFrame } from '../helpers/packets';

const SERVER = { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 67 };
const CLIENT_MAC = '02:00:00:00:00:32';

function offer(xid: number): Uint8Array {
  return udpFrame(
    SERVER,
    { mac: 'ff:ff:ff:ff:ff:ff', ip: '255.255.255.255', port: 68 },
    dhcpMessage({
      op: 2,
      type: DHCP.OFFER,
      xid,
      clientMac: CLIENT_MAC,
      yiaddr: '10.0.0.50',
      serverId: SERVER.ip,
      router: SERVER.ip,
      dns: SERVER.ip,
      lease: 3600,
    }),
  );
}

test('a DHCP server naming itself in its first frame is one device, with those roles', () => {
  const a = createAnalyzer();
  a.beginSource();
  const f = offer(7);
  a.frame(f, 1, Date.UTC(2026, 0, 1), f.length, 0);
  const inv = a.snapshot({ evidence: true });
  // The server and the client its offer names; no device of the address 10.0.0.1 alone.
  assert.deepEqual(inv.devices.map((d) => d.id).sort(), ['mac:02:00:00:00:00:01', 'mac:' + CLIENT_MAC]);
  const server = inv.devices.find((d) => d.id === 'mac:02:00:00:00:00:01')!;
  assert.deepEqual(server.ips, ['10.0.0.1']);
  for (const role of ['router', 'dns-server']) assert.ok(server.roles.includes(role), server.roles.join(','));
});

test('the same fact about an address the sender does not send from still waits for its holder', () => {
  const a = createAnalyzer();
  a.beginSource();
  const f = udpFrame(
    SERVER,
    { mac: 'ff:ff:ff:ff:ff:ff', ip: '255.255.255.255', port: 68 },
    dhcpMessage({
      op: 2,
      type: DHCP.OFFER,
      xid: 9,
      clientMac: CLIENT_MAC,
      yiaddr: '10.0.0.50',
      router: '10.0.0.254',
    }),
  );
  a.frame(f, 1, Date.UTC(2026, 0, 1), f.length, 0);
  assert.deepEqual(
    a
      .snapshot()
      .devices.map((d) => d.id)
      .sort(),
    ['mac:02:00:00:00:00:01', 'mac:' + CLIENT_MAC],
  );
  // The router shows up: it takes the address, and the fact.
  const g = udpFrame(
    { mac: '02:00:00:00:00:fe', ip: '10.0.0.254', port: 53 },
    { ...SERVER, port: 5353 },
    new Uint8Array(4),
  );
  a.frame(g, 1, Date.UTC(2026, 0, 1, 0, 0, 1), g.length, 0);
  const router = a.snapshot().devices.find((d) => d.id === 'mac:02:00:00:00:00:fe');
  assert.ok(router?.roles.includes('router'), JSON.stringify(router?.roles));
});

/** One frame into the analyzer, a second after the last. */
function feed(a: ReturnType<typeof createAnalyzer>, frames: Uint8Array[]): void {
  a.beginSource();
  frames.forEach((f, i) => a.frame(f, 1, Date.UTC(2026, 0, 1, 0, 0, i), f.length, 0));
}

const rolesOf = (a: ReturnType<typeof createAnalyzer>, id: string) =>
  a.snapshot().devices.find((d) => d.id === id)?.roles ?? [];

test("a sender's fact about its own address is its own, though another MAC sent from that address since", () => {
  // A stray MAC (a flipped byte, a spoofer) sends from the server's address between the server's
  // frames: by the address alone the offer's roles went to whichever took it last.
  const STRAY = '02:00:00:00:00:66';
  const a = createAnalyzer();
  feed(a, [
    udpFrame(SERVER, { mac: CLIENT_MAC, ip: '10.0.0.50', port: 40000 }, new Uint8Array(4)),
    udpFrame({ ...SERVER, mac: STRAY }, { mac: CLIENT_MAC, ip: '10.0.0.50', port: 40000 }, new Uint8Array(4)),
    offer(11),
  ]);
  for (const role of ['router', 'dns-server'])
    assert.ok(rolesOf(a, 'mac:' + SERVER.mac).includes(role), role);
  assert.deepEqual(rolesOf(a, 'mac:' + STRAY), []);
});

test('a fact naming a router and an address it owns by ARP is the router’s, whoever else used the address', () => {
  const STRAY = '02:00:00:00:00:66';
  const HOST = { mac: CLIENT_MAC, ip: '10.0.0.50', port: 40000 };
  const a = createAnalyzer();
  feed(a, [
    // The server answers ARP for its address, then forwards for five remote ones: it routes.
    ethernet(HOST.mac, SERVER.mac, 0x0806, arp(2, SERVER.mac, SERVER.ip, HOST.mac, HOST.ip)),
    ...[1, 2, 3, 4, 5].map((i) =>
      udpFrame(
        { mac: SERVER.mac, ip: `198.51.100.${i}`, port: 123 },
        { ...HOST, port: 123 },
        new Uint8Array(4),
      ),
    ),
    // A stray MAC sends from the router's own address; then the router names itself in an offer.
    udpFrame({ ...SERVER, mac: STRAY }, HOST, new Uint8Array(4)),
    offer(12),
  ]);
  const router = a.snapshot().devices.find((d) => d.id === 'mac:' + SERVER.mac)!;
  assert.equal(router.router, true);
  for (const role of ['router', 'dns-server']) assert.ok(router.roles.includes(role), router.roles.join(','));
  assert.deepEqual(rolesOf(a, 'mac:' + STRAY), []);
});
