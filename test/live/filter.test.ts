// BPF filters in the helper: matching frames only, and pcap's own message for one that does not compile.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLiveCapture, type LiveStatus } from '../../src-main/capture/live/live-source';
import { createLab, labUnavailable, sendUdp, sleep, waitFor, type Lab } from './lab';
import { HELPER_KINDS, helperFor, skipFor } from './helpers';
import type { HelperCommand } from '../../src-main/capture/live/live-source';

const skip = labUnavailable();

for (const kind of HELPER_KINDS)
  describe(`capture filters (${kind} helper)`, { skip: skipFor(kind, skip) }, () => {
    let lab: Lab;
    let helper: HelperCommand;
    before(() => {
      lab = createLab('flt');
      helper = helperFor(kind);
    });
    after(() => lab?.cleanup());

    test("'icmp' lets only ICMP through, though UDP and ARP cross the link too", async () => {
      const frames: Buffer[] = [];
      let all = 0;
      const unfiltered = startLiveCapture({ interfaces: [lab.ifA], wrap: lab.wrapA, helper }, () => all++);
      const cap = startLiveCapture({ interfaces: [lab.ifA], wrap: lab.wrapA, helper, filter: 'icmp' }, (b) =>
        frames.push(Buffer.from(b)),
      );
      assert.ok((await unfiltered.started).ok);
      const r = await cap.started;
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      // UDP to a closed port: A answers each with ICMP port unreachable (rate limited, but at least one).
      sendUdp(lab.nsB, lab.ipA, 40010, 5, 'filtered');
      await waitFor(() => frames.length >= 1);
      await sleep(300);
      await Promise.all([cap.stop(), unfiltered.stop()]);
      assert.ok(frames.length >= 1, 'at least one ICMP frame');
      assert.ok(all >= 5 + frames.length, `the unfiltered capture saw the UDP too (${all})`);
      for (const f of frames) {
        assert.equal(f.readUInt16BE(12), 0x0800, 'IPv4');
        assert.equal(f[23], 1, 'IP protocol ICMP');
        assert.equal(f[34], 3, 'ICMP destination unreachable');
        assert.equal(f[35], 3, 'port unreachable');
      }
    });

    for (const filter of ['udp and and', 'ether host 1.2.3.4', 'port 99999999']) {
      test(`'${filter}' gives the typed filter error with pcap's message`, async () => {
        const statuses: LiveStatus[] = [];
        let frames = 0;
        const cap = startLiveCapture(
          { interfaces: [lab.ifA], wrap: lab.wrapA, helper, filter },
          () => frames++,
          (s) => statuses.push(s),
        );
        const r = await cap.started;
        assert.equal(r.ok, false);
        if (r.ok) return;
        assert.equal(r.error.code, 'bad-filter');
        assert.equal(r.error.iface, lab.ifA);
        assert.ok(r.error.message.includes(`'${filter}'`), r.error.message);
        assert.ok(r.error.detail !== undefined && r.error.detail.length > 0);
        assert.ok(r.error.message.includes(r.error.detail), 'quotes pcap');
        assert.ok(!/\n\s+at /.test(r.error.message), 'no stack trace');
        const exit = await cap.exited;
        assert.equal(exit.code, 2);
        assert.equal(frames, 0);
        assert.deepEqual(
          statuses.map((s) => s.kind),
          ['error', 'exit'],
        );
      });
    }
  });
