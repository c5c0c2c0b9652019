// The Node capture helper as Electron runs it with the RunAsNode fuse off: forked by main for the
// engine and relayed over a port (helper-relay.ts). No Electron here, so main's utilityProcess.fork is
// played by a real Node child with an IPC channel and no stdin, given an Electron-like
// process.parentPort (fixtures/parent-port.mjs); the port is a real structured-clone MessageChannel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import {
  listInterfacesViaHelper,
  nodeCaptureHelper,
  startLiveCapture,
} from '../../src-main/capture/live/live-source';
import {
  relayedHelperLauncher,
  serveHelperForks,
  type ForkedHelper,
} from '../../src-main/capture/live/helper-relay';
import type { PortLike } from '../../src-main/ipc/engine-port';
import { createLab, labUnavailable, sendUdp, waitFor, type Lab } from './lab';
import { repo } from './helpers';
import { loadCap } from '../../src-main/native/cap';

/** The Node helper needs the cap addon built for this Node. */
const capLoad = loadCap();
const noCap = capLoad.ok ? false : `cap is not loadable here: ${capLoad.error.message}`;

const entry = join(repo, 'src-main', 'capture', 'live', 'capture-process.ts');
const parentPort = join(repo, 'test', 'live', 'fixtures', 'parent-port.mjs');

function portLike(p: MessagePort): PortLike {
  p.unref();
  return {
    post: (m) => p.postMessage(m),
    listen: (l) => {
      p.on('message', l);
      return () => p.off('message', l);
    },
  };
}

/** main's fork, with `wrap` (a namespace) in front: a utility process of the real helper. */
function forker(wrap: string[], forked: { count: number }) {
  return (config: string): ForkedHelper => {
    forked.count++;
    const argv = [...wrap, process.execPath, '--import', 'tsx', '--import', parentPort, entry, config];
    const c = spawn(argv[0]!, argv.slice(1), { cwd: repo, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    return {
      stdout: c.stdout,
      stderr: c.stderr,
      postMessage: (m) => c.connected && c.send(m as string),
      kill: () => c.kill(),
      once: (_e, l) => c.once('exit', (code) => l(code ?? -1)),
    };
  };
}

function relay(wrap: string[] = []) {
  const { port1, port2 } = new MessageChannel();
  const forked = { count: 0 };
  const stopServing = serveHelperForks(portLike(port2), forker(wrap, forked));
  return {
    launchNode: relayedHelperLauncher(portLike(port1)),
    forked,
    close() {
      stopServing();
      port1.close();
      port2.close();
    },
  };
}

test(
  'listing interfaces through the relay: forked by "main", answered over the port',
  { skip: noCap },
  async () => {
    const r = relay();
    try {
      const res = await listInterfacesViaHelper({ helper: nodeCaptureHelper(), launchNode: r.launchNode });
      assert.ok(res.ok, res.ok ? '' : `${res.error.message} ${res.error.detail ?? ''}`);
      assert.ok(
        res.interfaces.some((i) => i.name === 'lo'),
        res.interfaces.map((i) => i.name).join(),
      );
      assert.equal(r.forked.count, 1, 'the helper was forked by main, not spawned by the engine');
    } finally {
      r.close();
    }
  },
);

test(
  'a bad configuration through the relay is answered by the helper itself (bad-config)',
  { skip: noCap },
  async () => {
    const r = relay();
    try {
      const cap = startLiveCapture(
        { interfaces: ['lo'], snaplen: -5, helper: nodeCaptureHelper(), launchNode: r.launchNode },
        () => {},
      );
      const s = await cap.started;
      assert.equal(s.ok, false);
      assert.equal(s.ok ? '' : s.error.code, 'bad-config');
      await cap.exited;
    } finally {
      r.close();
    }
  },
);

const skip = labUnavailable();

describe('live capture through the relay (Node helper as a utility process)', { skip: skip ?? noCap }, () => {
  let lab: Lab;
  before(() => {
    lab = createLab('relay');
  });
  after(() => lab?.cleanup());

  test('frames arrive over the port; it keeps capturing without stdin and stops on the stop message', async () => {
    const r = relay(lab.wrapA);
    try {
      let udp = 0;
      const cap = startLiveCapture(
        {
          interfaces: [lab.ifA],
          filter: 'udp port 40077',
          helper: nodeCaptureHelper(),
          launchNode: r.launchNode,
          statsIntervalMs: 200,
        },
        (buf, lt) => {
          if (lt === 1 && buf.length > 42 && buf.subarray(42).toString() === 'glasspane-relay') udp++;
        },
      );
      const s = await cap.started;
      assert.ok(s.ok, s.ok ? '' : `${s.error.message} ${s.error.detail ?? ''}`);
      // A utility process has no stdin: a helper that took its EOF for "stop" would be gone by now.
      await new Promise((res) => setTimeout(res, 500));
      sendUdp(lab.nsB, lab.ipA, 40077, 4, 'glasspane-relay');
      assert.ok(await waitFor(() => udp >= 4), `frames seen: ${udp}`);
      assert.ok(await waitFor(() => cap.stats !== null), 'stats relayed');
      const exit = await cap.stop();
      assert.equal(exit.code, 0, 'stopped by the message, cleanly (exit 0), not killed');
      assert.equal(udp, 4);
    } finally {
      r.close();
    }
  });
});
