// Live capture through the real helpers (Node with cap, and the native glasspane-capture), on a veth
// pair between two network namespaces.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  startLiveCapture,
  type LiveCaptureOptions,
  type LiveStatus,
} from '../../src-main/capture/live/live-source';
import type { HelperStats } from '../../src-main/capture/live/framing';
import { createLab, labUnavailable, sendUdp, streamUdp, waitFor, type Lab } from './lab';
import { makeReader, type Seen } from './frames';
import { HELPER_KINDS, helperFor, skipFor } from './helpers';
import type { HelperCommand } from '../../src-main/capture/live/live-source';

const skip = labUnavailable();

for (const kind of HELPER_KINDS)
  describe(`live capture between two namespaces (${kind} helper)`, { skip: skipFor(kind, skip) }, () => {
    let lab: Lab;
    let helper: HelperCommand;
    before(() => {
      lab = createLab('cap');
      helper = helperFor(kind);
    });
    after(() => lab?.cleanup());

    test('sees both hosts (MACs and IPs) in real traffic, decoded', async (t) => {
      const { read, via } = await makeReader();
      t.diagnostic(`frames read with ${via}`);
      const seen: Seen[] = [];
      const statuses: LiveStatus[] = [];
      const t0 = Date.now();
      const cap = startLiveCapture(
        { interfaces: [lab.ifA], wrap: lab.wrapA, helper, statsIntervalMs: 200 },
        (buf, lt, ts, wl, i) => seen.push(read(buf, lt, ts, wl, i)),
        (s) => statuses.push(s),
      );
      const r = await cap.started;
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.deepEqual(
        r.interfaces.map((x) => [x.index, x.name, x.linkType]),
        [[0, lab.ifA, 1]],
      );
      // B talks to A: ARP who-has from B, ARP reply from A, UDP B -> A, ICMP port unreachable A -> B.
      sendUdp(lab.nsB, lab.ipA, 40001, 5, 'glasspane-live-1');
      const udpFromB = (s: Seen) => s.ipProto === 17 && s.dstPort === 40001 && s.src === lab.ipB;
      assert.ok(await waitFor(() => seen.filter(udpFromB).length >= 5), `saw ${seen.length} frames`);
      await waitFor(() => seen.some((s) => s.srcMac === lab.macA && s.etherType === 0x0800));
      const exit = await cap.stop();
      const t1 = Date.now();
      assert.equal(exit.code, 0);

      const srcMacs = new Set(seen.map((s) => s.srcMac));
      assert.ok(srcMacs.has(lab.macA), `MAC of A (${lab.macA}) among ${[...srcMacs]}`);
      assert.ok(srcMacs.has(lab.macB), `MAC of B (${lab.macB}) among ${[...srcMacs]}`);
      const ips = new Set(seen.flatMap((s) => [s.src, s.dst]));
      assert.ok(ips.has(lab.ipA) && ips.has(lab.ipB), `IPs seen: ${[...ips]}`);
      // ARP between the two, both ways.
      assert.ok(seen.some((s) => s.etherType === 0x0806 && s.srcMac === lab.macB && s.src === lab.ipB));
      assert.ok(seen.some((s) => s.etherType === 0x0806 && s.srcMac === lab.macA && s.src === lab.ipA));
      const udp = seen.filter(udpFromB);
      assert.equal(udp.length, 5);
      for (const u of udp) {
        assert.equal(u.srcMac, lab.macB);
        assert.equal(u.dstMac, lab.macA);
        assert.equal(u.dst, lab.ipA);
        assert.equal(u.payload, 'glasspane-live-1');
        assert.equal(u.wireLen, u.capLen);
        assert.equal(u.wireLen, 14 + 20 + 8 + 'glasspane-live-1'.length);
        assert.equal(u.iface, 0);
        assert.equal(u.linkType, 1);
        assert.ok(u.tsMs >= t0 - 1 && u.tsMs <= t1 + 1, `timestamp ${u.tsMs} within the run`);
      }
      const kinds = statuses.map((s) => s.kind);
      assert.equal(kinds[0], 'started');
      assert.equal(kinds[kinds.length - 1], 'exit');
      assert.ok(!kinds.includes('error'));
    });

    test('counts match what was sent: frames, helper stats and kernel counters', async () => {
      const N = 300;
      let frames = 0;
      const stats: HelperStats[] = [];
      const cap = startLiveCapture(
        {
          interfaces: [lab.ifA],
          wrap: lab.wrapA,
          helper,
          filter: 'udp and dst port 40002',
          statsIntervalMs: 100,
        },
        () => frames++,
        (s) => s.kind === 'stats' && stats.push(s.stats),
      );
      const r = await cap.started;
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      sendUdp(lab.nsB, lab.ipA, 40002, N, 'x'.repeat(200));
      await waitFor(() => frames >= N);
      // Let at least one periodic STATS record arrive while capturing.
      await waitFor(() => stats.some((s) => !s.final && s.interfaces[0]!.packets >= N), 3000);
      await cap.stop();

      assert.ok(
        stats.some((s) => !s.final),
        'periodic stats arrived',
      );
      const last = stats[stats.length - 1]!;
      assert.equal(last.final, true);
      assert.equal(cap.stats, last);
      const st = last.interfaces[0]!;
      assert.equal(st.name, lab.ifA);
      // Nothing else matches the filter, so every datagram is accounted for exactly once.
      assert.equal(frames, N);
      assert.equal(st.packets + st.queueDrops, N);
      assert.equal(st.queueDrops, 0);
      assert.equal(st.bytes, N * (14 + 20 + 8 + 200));
      assert.equal(st.snapped, 0);
      if (kind === 'node') {
        // cap exposes no pcap_stats(); the interface's own counters stand in.
        assert.equal(st.pcap, null);
      } else {
        // pcap_stats(): the kernel counts every frame that passed the filter, none dropped.
        assert.deepEqual(st.pcap, { recv: N, drop: 0, ifdrop: 0 });
      }
      assert.ok(st.kernel !== null, 'sysfs counters read inside the namespace');
      assert.ok(st.kernel.rxPackets >= N, `kernel saw ${st.kernel.rxPackets} >= ${N}`);
      assert.equal(st.missedEstimate, null, 'no estimate with a filter');
      assert.ok(st.kernel.rxDropped >= 0);
      // Counters only grow.
      for (let i = 1; i < stats.length; i++) {
        assert.ok(stats[i]!.interfaces[0]!.packets >= stats[i - 1]!.interfaces[0]!.packets);
      }
    });

    /**
     * Capture with `options` while B sends `n` datagrams to A's `port` (sendUdp blocks this process
     * meanwhile, so nothing reads the helper's pipe); once the last stats cover every frame that
     * reached us: the frame count and those stats.
     */
    async function burst(options: Partial<LiveCaptureOptions>, port: number, n: number, payload: string) {
      let frames = 0;
      const stats: HelperStats[] = [];
      const cap = startLiveCapture(
        { interfaces: [lab.ifA], wrap: lab.wrapA, helper, ...options },
        () => frames++,
        (s) => s.kind === 'stats' && stats.push(s.stats),
      );
      assert.ok((await cap.started).ok);
      sendUdp(lab.nsB, lab.ipA, port, n, payload);
      await waitFor(
        () => stats.length > 0 && stats[stats.length - 1]!.interfaces[0]!.packets === frames,
        3000,
      );
      await cap.stop();
      return { frames, st: stats[stats.length - 1]!.interfaces[0]! };
    }

    test('a burst larger than the kernel ring: the loss shows in missedEstimate', async () => {
      const N = 20000;
      // 64 KiB holds one or two 64 KiB ring slots (cap's snaplen is 65535): the kernel must drop.
      const { frames, st } = await burst({ bufferSize: 64 * 1024 }, 40006, N, 'b'.repeat(100));
      assert.equal(st.packets, frames);
      assert.ok(st.kernel !== null && st.kernel.rxPackets >= N);
      assert.ok(frames < N, `the ring overflowed (${frames} of ${N} reached us)`);
      assert.ok(st.missedEstimate !== null && st.missedEstimate >= N - frames, `missed ${st.missedEstimate}`);
      assert.equal(st.missedEstimate, st.kernel.rxPackets + st.kernel.txPackets - st.packets);
      if (kind === 'native') {
        // The kernel's own drop counter (pcap_stats ps_drop) arrives in the stats.
        assert.ok(st.pcap !== null && st.pcap.drop > 0, `pcap drops: ${JSON.stringify(st.pcap)}`);
        assert.ok(st.pcap.recv >= st.packets + st.pcap.drop, JSON.stringify(st));
      }
    });

    test('a reader that falls behind: the helper drops and counts, never blocks or grows without bound', async () => {
      const N = 20000;
      // ~20 MB cross the link while nothing reads the helper's pipe.
      const { frames, st } = await burst(
        { filter: 'udp and dst port 40007', maxQueueBytes: 1 << 20 },
        40007,
        N,
        'q'.repeat(1000),
      );
      assert.ok(st.queueDrops > 0, `the helper drops rather than queue past 1 MiB: ${JSON.stringify(st)}`);
      assert.equal(frames + st.queueDrops, st.packets);
      assert.equal(st.missedEstimate, null, 'no estimate with a filter');
    });

    test('stopped while frames flow: what the kernel had taken is delivered, none counted as missed', async () => {
      const { read } = await makeReader();
      // Three stops at different moments of a steady stream of ~2,500 datagrams a second.
      for (const after of [300, 500, 800]) {
        let frames = 0;
        const seqs: number[] = [];
        const stats: HelperStats[] = [];
        const cap = startLiveCapture(
          { interfaces: [lab.ifA], wrap: lab.wrapA, helper },
          (buf, lt, ts, wl, i) => {
            frames++;
            const s = read(buf, lt, ts, wl, i);
            if (s.dstPort === 40012) seqs.push(Number(s.payload.slice(4)));
          },
          (s) => s.kind === 'stats' && stats.push(s.stats),
        );
        assert.ok((await cap.started).ok);
        const sent = streamUdp(lab.nsB, lab.ipA, 40012, 2000);
        assert.ok(await waitFor(() => seqs.length >= after, 5000), `only ${seqs.length} datagrams arrived`);
        await cap.stop();
        const total = await sent;
        const last = stats[stats.length - 1]!;
        const st = last.interfaces[0]!;
        assert.equal(last.final, true);
        assert.equal(st.packets, frames);
        assert.ok(seqs.length < total, `stopped mid-stream: ${seqs.length} of ${total} datagrams`);
        // Without a filter the kernel's rx + tx counts of the stop's moment must all have reached us.
        assert.equal(st.missedEstimate, 0, `missed ${st.missedEstimate} of ${JSON.stringify(st)}`);
        // And in order, with no gap: from the first datagram captured to the last.
        assert.ok(
          seqs.every((q, k) => k === 0 || q === seqs[k - 1]! + 1),
          'datagrams in sequence',
        );
        if (kind === 'native') assert.equal(st.pcap?.drop, 0);
      }
    });

    test(
      'a backlog that drained gives its memory back (native helper)',
      { skip: kind === 'native' ? false : 'the Node helper queues Buffers that the GC frees' },
      async () => {
        const N = 20000;
        let frames = 0;
        const stats: HelperStats[] = [];
        const cap = startLiveCapture(
          { interfaces: [lab.ifA], wrap: lab.wrapA, helper, filter: 'udp and dst port 40011' },
          () => frames++,
          (s) => s.kind === 'stats' && stats.push(s.stats),
        );
        assert.ok((await cap.started).ok);
        const rssKiB = () =>
          Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${cap.pid}/status`, 'utf8'))?.[1]);
        const rss0 = rssKiB();
        // ~20 MB queue up in the helper while this process is blocked in sendUdp and reads nothing.
        sendUdp(lab.nsB, lab.ipA, 40011, N, 'r'.repeat(1000));
        let peak = rss0;
        await waitFor(() => {
          peak = Math.max(peak, rssKiB());
          return stats.length > 0 && stats[stats.length - 1]!.interfaces[0]!.packets === frames && frames > 0;
        }, 10_000);
        const st = stats[stats.length - 1]!.interfaces[0]!;
        const rss1 = rssKiB();
        await cap.stop();
        assert.equal(st.queueDrops, 0, 'the default queue holds the whole burst');
        assert.equal(frames, N);
        assert.ok(peak - rss0 > 10_000, `the backlog was resident while queued: ${rss0} -> ${peak} KiB`);
        assert.ok(rss1 - rss0 < 8_000, `drained, its pages went back: ${rss0} -> ${peak} -> ${rss1} KiB`);
      },
    );

    test('several interfaces at once, each frame tagged with its interface index', async () => {
      const { read } = await makeReader();
      const seen: Seen[] = [];
      const cap = startLiveCapture(
        { interfaces: [lab.ifA, 'lo'], wrap: lab.wrapA, helper, filter: 'udp' },
        (buf, lt, ts, wl, i) => seen.push(read(buf, lt, ts, wl, i)),
      );
      const r = await cap.started;
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.deepEqual(
        r.interfaces.map((x) => x.name),
        [lab.ifA, 'lo'],
      );
      sendUdp(lab.nsB, lab.ipA, 40003, 3, 'over-veth');
      sendUdp(lab.nsA, '127.0.0.1', 40004, 3, 'over-lo');
      const veth = () => seen.filter((s) => s.payload === 'over-veth');
      const lo = () => seen.filter((s) => s.payload === 'over-lo');
      // On lo, pcap sees each datagram once going out and once coming in.
      await waitFor(() => veth().length >= 3 && lo().length >= 3);
      await cap.stop();
      assert.equal(veth().length, 3);
      assert.ok(veth().every((s) => s.iface === 0 && s.src === lab.ipB && s.srcMac === lab.macB));
      assert.ok(lo().length >= 3);
      assert.ok(lo().every((s) => s.iface === 1 && s.src === '127.0.0.1' && s.dstPort === 40004));
    });

    test('a snap length shorter than the frame cuts it and keeps the wire length', async () => {
      const seen: { cap: number; wire: number }[] = [];
      const stats: HelperStats[] = [];
      const cap = startLiveCapture(
        { interfaces: [lab.ifA], wrap: lab.wrapA, helper, filter: 'udp and dst port 40005', snaplen: 60 },
        (buf, _lt, _ts, wl) => seen.push({ cap: buf.length, wire: wl }),
        (s) => s.kind === 'stats' && stats.push(s.stats),
      );
      assert.ok((await cap.started).ok);
      sendUdp(lab.nsB, lab.ipA, 40005, 2, 'y'.repeat(500));
      await waitFor(() => seen.length >= 2);
      await cap.stop();
      assert.deepEqual(seen, [
        { cap: 60, wire: 14 + 20 + 8 + 500 },
        { cap: 60, wire: 14 + 20 + 8 + 500 },
      ]);
      assert.equal(stats[stats.length - 1]!.interfaces[0]!.snapped, 2);
    });
  });
