/**
 * A site's devices combined as a merge needs them (shared/inventory/partial-site-devices.ts): only
 * the MACs that may route up front, the others when decideRouters, hearsay or the build asks. What
 * the merge gives must not depend on it: hearsay about an address a plain host holds (a MAC combined
 * only on demand) still finds that host, as one analysis does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inventoryFromPartial, mergePartials, partialOf } from '../../shared/inventory/partial';
import { decideRouters } from '../../shared/inventory/partial-combine';
import { SiteDevices } from '../../shared/inventory/partial-site-devices';
import { ROUTER_IP_THRESHOLD } from '../../shared/inventory/inventory';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { dhcpMessage, DHCP } from '../../src-main/demo/frames/dhcp';
import { loadRules } from '../../src-main/classify/load';
import { vendorOf } from '../../src-main/engine/oui';
import { arp, ethernet, udpFrame, type Bytes } from '../helpers/packets';

const rules = loadRules();
const server = { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 67 };
const client = { mac: '02:00:00:00:00:02', ip: '10.0.0.50', port: 68 };
/** The DNS server the DHCP server names: a plain host, which announces its address later. */
const dns = { mac: '02:00:00:00:00:35', ip: '10.0.0.53' };
const ack = udpFrame(
  server,
  client,
  dhcpMessage({
    op: 2,
    type: DHCP.ACK,
    xid: 7,
    clientMac: client.mac,
    yiaddr: client.ip,
    serverId: server.ip,
    dns: dns.ip,
  }),
);
const announce = ethernet(
  'ff:ff:ff:ff:ff:ff',
  dns.mac,
  0x0806,
  arp(1, dns.mac, dns.ip, '00:00:00:00:00:00', dns.ip),
);

function analysed(frames: Bytes[], t0 = 1.7e9) {
  const a = createAnalyzer();
  frames.forEach((f, i) => a.frame(f, 1, t0 + i, f.length, 0));
  return a;
}

const dnsRole = (d: { roles: string[]; evidence?: { protocol: string; value: string }[] } | undefined) =>
  d?.roles.includes('dns-server') === true;

test('hearsay about an address a plain host holds at another sensor attaches to that host, as one analysis does', () => {
  const whole = analysed([ack, announce]).snapshot({ evidence: true });
  const host = whole.devices.find((d) => d.mac === dns.mac);
  assert.ok(dnsRole(host), 'one analysis gives the host the role the DHCP server named');
  // The first sensor hears the DHCP server name an address none of its devices holds: hearsay.
  const first = partialOf(analysed([ack]).inventory, { site: 'plant', sensor: 'first' });
  assert.ok(
    first.hearsay?.some((h) => h.ip === dns.ip && h.states.some((s) => !s.claimed)),
    'the first sensor holds it unclaimed',
  );
  const second = partialOf(analysed([announce], 1.7e9 + 1).inventory, { site: 'plant', sensor: 'second' });
  const merged = inventoryFromPartial(mergePartials(first, second), { rules, vendorOf, evidence: true });
  const holders = merged.devices.filter((d) => dnsRole(d));
  assert.deepEqual(
    holders.map((d) => d.mac),
    [dns.mac],
    'the merge attaches it to the host that holds the address, and to no other device',
  );
  const fact = holders[0]!.evidence!.find((e) => e.protocol === 'dhcp');
  assert.ok(fact !== undefined, 'with the DHCP fact behind it');
  assert.deepEqual(fact.sources, ['plant/first']);
});

test('SiteDevices: routers combined up front, any other device when asked, every record in heads', () => {
  const host = (i: number) => `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`;
  const gw = '02:00:00:00:00:fe';
  // Two sensors each see the gateway send from too few addresses to call it a router; together, enough.
  const sensor = (name: string, from: number) => {
    const frames: Bytes[] = [];
    for (let i = from; i < from + ROUTER_IP_THRESHOLD; i++)
      frames.push(
        udpFrame(
          { mac: gw, ip: `198.51.100.${i + 1}`, port: 53 },
          { mac: host(1), ip: '10.0.0.11', port: 4000 },
          new Uint8Array([1]),
        ),
      );
    for (let i = 1; i <= 3; i++)
      frames.push(
        ethernet(
          'ff:ff:ff:ff:ff:ff',
          host(i),
          0x0806,
          arp(1, host(i), `10.0.0.1${i}`, '00:00:00:00:00:00', `10.0.0.1${i}`),
        ),
      );
    return partialOf(analysed(frames).inventory, { site: 'plant', sensor: name });
  };
  const p = mergePartials(sensor('a', 0), sensor('b', ROUTER_IP_THRESHOLD));
  const all = new SiteDevices(p.devices, false);
  const key = (mac: string) => p.devices.find((d) => d.id === `mac:${mac}`)!.key;
  assert.equal(all.peek(key(gw))?.router, false, 'a MAC that may route is combined up front');
  assert.equal(all.peek(key(host(2))), undefined, 'a plain host is not');
  assert.ok(all.has(key(host(2))), 'but is known');
  decideRouters(all);
  all.settled = true;
  assert.equal(all.peek(key(gw))!.router, true, 'the merge finds it routing');
  const made = all.heads.slice(p.devices.length);
  assert.equal(made.length, 2 * ROUTER_IP_THRESHOLD, 'the address devices it made follow the records');
  assert.ok(made.every((h) => h.kind === 'ip'));
  assert.deepEqual(
    all.heads.slice(0, p.devices.length).map((h) => h.key),
    p.devices.map((d) => d.key),
  );
  const c = all.take(key(host(2)));
  assert.ok(c !== undefined && c.ip4.has('10.0.0.12'), 'combined when taken');
  assert.equal(all.peek(key(host(2))), undefined, 'and no longer held');
});
