// The rules both capture helpers share (config.ts), and the native helper enforces again as the
// privileged boundary: pseudo-devices, an interface named twice, kernel buffer caps. Refusals come
// before any interface is opened, so these run without a lab; the root-only flag needs root.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceProblem, pseudoDevice, resolveConfig } from '../../src-main/capture/live/config';
import { startLiveCapture } from '../../src-main/capture/live/live-source';
import { HELPER_KINDS, helperFor, nativeUnavailable } from './helpers';

describe('config.ts: the shared rules', () => {
  test('pseudo-devices are libpcap’s non-network modules; any and SocketCAN are networks', () => {
    for (const n of ['nflog', 'nflog:5', 'nfqueue', 'nfqueue:0', 'dbus-system', 'dbus-session', 'bluetooth0'])
      assert.equal(pseudoDevice(n), true, n);
    for (const n of ['bluetooth-monitor', 'usbmon0', 'usbmon12']) assert.equal(pseudoDevice(n), true, n);
    for (const n of ['any', 'lo', 'eth0', 'enp3s0', 'can0', 'vcan0', 'wlan0', 'br-lan'])
      assert.equal(pseudoDevice(n), false, n);
  });

  test('interfaceProblem: a name twice, a pseudo-device, the flag for root only', () => {
    const cfg = (interfaces: string[], allowPseudoDevice = false) => ({ interfaces, allowPseudoDevice });
    assert.equal(interfaceProblem(cfg(['eth0', 'lo', 'any']), false), null);
    assert.deepEqual(interfaceProblem(cfg(['lo', 'eth0', 'lo']), true), {
      code: 'duplicate-interface',
      iface: 'lo',
      detail: 'the same interface is named twice',
    });
    assert.equal(interfaceProblem(cfg(['usbmon1']), true)?.code, 'pseudo-device');
    assert.equal(interfaceProblem(cfg(['usbmon1'], true), true), null);
    assert.deepEqual(interfaceProblem(cfg(['usbmon1'], true), false), {
      code: 'pseudo-device',
      iface: 'usbmon1',
      detail: '--allow-pseudo-device is honoured for root only',
    });
  });

  test('kernel buffers: 64 MiB each at most, 256 MiB in all; the default shrinks past 8 interfaces', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `eth${i}`);
    assert.equal(resolveConfig({ interfaces: ['eth0'] }).bufferSize, 32 << 20);
    assert.equal(resolveConfig({ interfaces: names(8) }).bufferSize, 32 << 20);
    assert.equal(resolveConfig({ interfaces: names(64) }).bufferSize, 4 << 20);
    assert.equal(resolveConfig({ interfaces: names(4), bufferSize: 64 << 20 }).bufferSize, 64 << 20);
    assert.throws(
      () => resolveConfig({ interfaces: ['eth0'], bufferSize: (64 << 20) + 1 }),
      /bufferSize must be an integer from 65536 to 67108864/,
    );
    assert.throws(
      () => resolveConfig({ interfaces: names(5), bufferSize: 64 << 20 }),
      /at most 268435456 \(256 MiB in all\)/,
    );
  });
});

for (const kind of HELPER_KINDS) {
  describe(
    `${kind} helper refuses before opening anything`,
    { skip: kind === 'native' && (nativeUnavailable() ?? false) },
    () => {
      test('pseudo-devices, a name twice, oversized buffers', async () => {
        const cases: [Parameters<typeof startLiveCapture>[0], string][] = [
          [{ interfaces: ['nfqueue'] }, 'pseudo-device'],
          [{ interfaces: ['lo', 'nflog'] }, 'pseudo-device'],
          [{ interfaces: ['usbmon0'] }, 'pseudo-device'],
          [{ interfaces: ['lo', 'lo'] }, 'duplicate-interface'],
          [{ interfaces: ['lo'], bufferSize: 1 << 30 }, 'bad-config'],
          [{ interfaces: ['lo', 'any', 'a', 'b', 'c'], bufferSize: 60 << 20 }, 'bad-config'],
        ];
        for (const [opts, code] of cases) {
          const cap = startLiveCapture({ ...opts, helper: helperFor(kind) }, () => {});
          const r = await cap.started;
          assert.equal(r.ok, false, JSON.stringify(opts));
          if (!r.ok) assert.equal(r.error.code, code, `${JSON.stringify(opts)}: ${r.error.message}`);
          assert.equal((await cap.exited).code, 2);
        }
      });

      test(
        'root may pass --allow-pseudo-device: the name then goes to libpcap',
        { skip: process.getuid?.() !== 0 && 'needs root' },
        async () => {
          // No such USB bus here: libpcap's answer, not the refusal, proves the flag let it through.
          const cap = startLiveCapture(
            { interfaces: ['usbmon999'], allowPseudoDevice: true, helper: helperFor(kind) },
            () => {},
          );
          const r = await cap.started;
          assert.equal(r.ok, false);
          if (!r.ok) assert.equal(r.error.code, 'no-such-interface', r.error.message);
          await cap.exited;
        },
      );
    },
  );
}
