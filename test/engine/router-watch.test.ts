/**
 * The reader's router watch (shared/engine/router-watch.ts): from fixed offsets of every frame it
 * calls a MAC a router at the frame where one analysis's inventory does, tells which addresses the
 * router owns by ARP, leaves tunnels and link-local addresses out, and never throws on hostile bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RouterWatch, WATCH_NONE, WATCH_OWNS, WATCH_ROUTER } from '../../shared/engine/router-watch';
import { LAYERS } from '../../shared/decode/layers';
import { createAnalyzer } from '../../src-main/engine/pipeline';
import { arp, ethernet, ipv4, ipv6, udp, udpFrame, type Bytes } from '../helpers/packets';

const GW = '02:00:00:00:00:01';
const GW_NUMBER = 0x020000000001;
const HOST = { mac: '02:00:00:00:00:02', ip: '10.0.0.2', port: 40000 };
const watch = (b: Bytes, w: RouterWatch) => w.frame(b, 0, b.length, 1);
const from = (ip: string, port = 443) => udpFrame({ mac: GW, ip, port }, HOST, new Uint8Array(8));

test('the fifth address a MAC sends from makes it a router, once; ARP-owned addresses go with it', () => {
  const w = new RouterWatch(LAYERS);
  assert.equal(
    watch(ethernet(HOST.mac, GW, 0x0806, arp(2, GW, '10.0.0.1', HOST.mac, HOST.ip)), w),
    WATCH_NONE,
  );
  for (const ip of ['10.0.0.1', '8.8.8.8', '8.8.8.8', '1.1.1.1', '9.9.9.9'])
    assert.equal(watch(from(ip), w), WATCH_NONE);
  assert.equal(watch(from('4.4.4.4'), w), WATCH_ROUTER);
  assert.equal(w.mac, GW_NUMBER);
  assert.deepEqual(w.owned, [(10 << 24) | 1]);
  assert.equal(watch(from('5.5.5.5'), w), WATCH_NONE);
  // A router's later ARP for another address of its own: every worker must know it is its own.
  const reply = ethernet(HOST.mac, GW, 0x0806, arp(2, GW, '10.0.1.1', HOST.mac, HOST.ip));
  assert.equal(watch(reply, w), WATCH_OWNS);
  assert.deepEqual(w.owned, [(10 << 24) | (1 << 8) | 1]);
  assert.equal(watch(reply, w), WATCH_NONE);
});

test('IPv6 counts once per /64, link-local never; tunnels and broadcast senders not at all', () => {
  const w = new RouterWatch(LAYERS);
  const v6 = (src: string) =>
    ethernet(HOST.mac, GW, 0x86dd, ipv6(src, 'fd00::2', 17, udp(5353, 5353, new Uint8Array(4))));
  for (const src of [
    '2001:db8:0:1::1',
    '2001:db8:0:1::2',
    '2001:db8:0:1::3',
    'fe80::1',
    'fe80::2',
    'fe80::3',
  ])
    assert.equal(watch(v6(src), w), WATCH_NONE);
  // VXLAN and GRE carry other hosts' packets: their outer source is not what the inventory binds.
  const vxlan = ethernet(
    HOST.mac,
    GW,
    0x0800,
    ipv4('7.7.7.7', HOST.ip, 17, udp(50000, 4789, new Uint8Array(16))),
  );
  const gre = ethernet(HOST.mac, GW, 0x0800, ipv4('6.6.6.6', HOST.ip, 47, new Uint8Array(8)));
  const bcast = udpFrame({ mac: 'ff:ff:ff:ff:ff:ff', ip: '3.3.3.3', port: 1 }, HOST, new Uint8Array(4));
  for (const f of [vxlan, gre, bcast]) assert.equal(watch(f, w), WATCH_NONE);
  for (const src of ['2001:db8:0:2::1', '2001:db8:0:3::1', '2001:db8:0:4::1'])
    assert.equal(watch(v6(src), w), WATCH_NONE);
  assert.equal(watch(v6('2001:db8:0:5::1'), w), WATCH_ROUTER);
});

test('MACs past the bound are left to the workers', () => {
  const w = new RouterWatch(LAYERS, 1);
  watch(udpFrame(HOST, { ...HOST, mac: GW }, new Uint8Array(4)), w);
  for (const ip of ['1.0.0.1', '1.0.0.2', '1.0.0.3', '1.0.0.4', '1.0.0.5', '1.0.0.6'])
    assert.equal(watch(from(ip), w), WATCH_NONE);
});

/** A frame of one of three MACs: IPv4 from an address of a small pool, an ARP, IPv6, or a tunnel. */
const frameArb = (tunnels: boolean) =>
  fc
    .record({
      m: fc.integer({ min: 1, max: 3 }),
      kind: fc.constantFrom('ip4', 'ip4', 'ip4', 'arp', 'ip6', ...(tunnels ? ['vxlan', 'gre'] : [])),
      a: fc.integer({ min: 1, max: 9 }),
    })
    .map(({ m, kind, a }): Bytes => {
      const src = `02:00:00:00:00:0${m}`;
      const dst = '02:00:00:00:00:09';
      const inner = ipv4(`10.9.${m}.${a}`, '10.0.0.99', 17, udp(5, 6, new Uint8Array(4)));
      if (kind === 'arp')
        return ethernet(dst, src, 0x0806, arp(1, src, `10.0.0.${a}`, '00:00:00:00:00:00', '10.0.0.99'));
      if (kind === 'ip6')
        return ethernet(
          dst,
          src,
          0x86dd,
          ipv6(`2001:db8:0:${a % 4}::${m}`, 'fd00::9', 17, udp(1, 2, new Uint8Array(4))),
        );
      // VXLAN with the VNI flag and an inner frame of the same MAC; GRE with IPv4 inside.
      if (kind === 'vxlan') {
        const vx = new Uint8Array([0x08, 0, 0, 0, 0, 0, 1, 0]);
        const body = new Uint8Array([...vx, ...ethernet(dst, src, 0x0800, inner)]);
        return ethernet(dst, src, 0x0800, ipv4(`10.8.0.${a}`, '10.0.0.99', 17, udp(5, 4789, body)));
      }
      if (kind === 'gre')
        return ethernet(
          dst,
          src,
          0x0800,
          ipv4(`10.7.0.${a}`, '10.0.0.99', 47, new Uint8Array([0, 0, 8, 0, ...inner])),
        );
      return ethernet(
        dst,
        src,
        0x0800,
        ipv4(`10.${m}.0.${a}`, '10.0.0.99', 17, udp(5, 6, new Uint8Array(4))),
      );
    });

/** Runs `frames` through the watch and one analyzer; calls `check` per MAC and frame. */
function compare(
  frames: Bytes[],
  check: (i: number, id: string, told: boolean, was: boolean, now: boolean) => void,
) {
  const w = new RouterWatch(LAYERS);
  const a = createAnalyzer();
  a.beginSource();
  const ids = [1, 2, 3].map((m) => `mac:02:00:00:00:00:0${m}`);
  const router = (id: string) => a.inventory.byId(id)?.router === true;
  for (const [i, f] of frames.entries()) {
    const told = watch(f, w) === WATCH_ROUTER ? w.mac : -1;
    const was = ids.map(router);
    a.frame(f, 1, Date.UTC(2026, 0, 1) + i, f.length, 0);
    for (const [k, id] of ids.entries()) check(i + 1, id, told === 0x020000000001 + k, was[k]!, router(id));
  }
}

test('the watch decides at the frame where one analysis makes the MAC a router', () => {
  fc.assert(
    fc.property(fc.array(frameArb(false), { minLength: 1, maxLength: 40 }), (frames) => {
      compare(frames, (i, id, told, was, now) => {
        assert.equal(told, now && !was, `frame ${i}: ${id} told ${told}, router before ${was}, after ${now}`);
      });
    }),
    { numRuns: 300 },
  );
});

test('with tunnels it may decide later than one analysis, never earlier', () => {
  let later = 0;
  fc.assert(
    fc.property(fc.array(frameArb(true), { minLength: 1, maxLength: 40 }), (frames) => {
      compare(frames, (i, id, told, was, now) => {
        if (told) assert.ok(now, `frame ${i}: the watch called ${id} a router before one analysis did`);
        if (now && !was && !told) later++;
      });
    }),
    { numRuns: 300 },
  );
  // Not vacuous: the inner addresses the watch does not read do make routers it misses.
  assert.ok(later > 0);
});

test('hostile bytes: an answer, never an exception', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(0, 1, 101, 113, 276), (b, lt) => {
      const w = new RouterWatch(LAYERS);
      for (let i = 0; i < 8; i++)
        assert.ok([WATCH_NONE, WATCH_ROUTER, WATCH_OWNS].includes(w.frame(b, 0, b.length, lt)));
    }),
    { numRuns: 5000 },
  );
});
