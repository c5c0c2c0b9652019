import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, ethernet, ipv6, tcp, u16, udpFrame } from '../../helpers/packets';
import { run } from './helpers';

const modbusRequest = concat(u16(1), u16(0), u16(6), [1, 3, 0, 0, 0, 1]);

test('device refs: lower-case canonical MAC and IPv6 text, both ends of the packet', () => {
  const f = ethernet(
    '02:AA:00:00:00:02',
    '02:AA:00:00:00:01',
    0x86dd,
    ipv6('2001:DB8:0:0:0:0:0:1', '2001:db8::2', 6, tcp(40000, 502, modbusRequest)),
  );
  const r = run([f]);
  const client = r.obs.find((o) => o.kind === 'role' && o.role === 'modbus-client');
  const server = r.obs.find((o) => o.kind === 'role' && o.role === 'modbus-server');
  assert.deepEqual(client?.device, { mac: '02:aa:00:00:00:01', ip: '2001:db8::1' });
  assert.deepEqual(server?.device, { mac: '02:aa:00:00:00:02', ip: '2001:db8::2' });
  assert.ok(client?.kind === 'role' && client.peer?.ip === '2001:db8::2');
  assert.equal(client?.frame, 1);
  assert.equal(client?.protocol, 'modbus');
});

test('a broadcast receiver is never described as a device, nor named as a peer', () => {
  const listIdentity = concat([0x63, 0, 0, 0], new Uint8Array(20));
  const r = run([
    udpFrame(
      { mac: '02:00:00:00:00:01', ip: '10.0.0.1', port: 50000 },
      { mac: 'ff:ff:ff:ff:ff:ff', ip: '255.255.255.255', port: 44818 },
      listIdentity,
    ),
  ]);
  assert.ok(r.obs.length > 0);
  for (const o of r.obs) {
    assert.notEqual(o.device.ip, '255.255.255.255');
    if (o.kind === 'role') assert.equal(o.peer, null);
  }
});
