import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, concat, tcpFrame } from '../../helpers/packets';
import { clientCore, connectInitial, connectionConfirm, connectionRequest } from '../../helpers/rdp-frames';
import { decodeFrames, hostileVariants, ofKind } from './run';
import type { Observation } from '../../../shared/model/observation';

const SRV = { mac: '02:00:00:00:00:33', ip: '10.0.3.89', port: 3389 };
let port = 41000;
const client = () => ({ mac: '02:00:00:00:00:44', ip: '10.0.3.44', port: port++ });
const rdpObs = (obs: Observation[]) =>
  obs
    .filter((o) => o.protocol === 'rdp')
    .map((o) => {
      const v =
        o.kind === 'hostname'
          ? o.name
          : o.kind === 'attribute'
            ? `${o.key}=${o.value}`
            : o.kind === 'role'
              ? o.role
              : '';
      return [o.frame, o.device.ip, o.field, v];
    });

test('RDP with standard security: cookie user, selected protocol, client name and build in clear', () => {
  const c = client();
  const r = decodeFrames([
    tcpFrame(c, SRV, connectionRequest({ cookie: 'alice', requested: 0 })),
    tcpFrame(SRV, c, connectionConfirm({ selected: 0 })),
    tcpFrame(c, SRV, connectInitial(clientCore('WIN7-PC', 7601))),
  ]);
  assert.equal(r.errors, 0);
  assert.deepEqual(rdpObs(r.obs), [
    [1, c.ip, 'x224.cr', 'rdp-client'],
    [1, c.ip, 'cookie', 'rdp-user=alice'],
    [2, SRV.ip, 'x224.cc', 'rdp-server'],
    [2, SRV.ip, 'selectedProtocol', 'rdp-security=rdp'],
    [3, c.ip, 'clientBuild', 'rdp-client-build=7601'],
    [3, c.ip, 'clientName', 'WIN7-PC'],
  ]);
  // The user name is an attribute, never the device's host name.
  assert.deepEqual(
    ofKind(r.obs, 'hostname').map((o) => o.name),
    ['WIN7-PC'],
  );
});

test('RDP: old clients without negotiation, and a Connect-Initial split over segments', () => {
  const c = client();
  const ci = connectInitial(clientCore('ÉQUIPE-12', 2600));
  const r = decodeFrames([
    tcpFrame(c, SRV, connectionRequest()),
    tcpFrame(SRV, c, connectionConfirm()),
    tcpFrame(c, SRV, ci.slice(0, 100)),
    tcpFrame(c, SRV, ci.slice(100, 300)),
    tcpFrame(c, SRV, ci.slice(300)),
  ]);
  assert.equal(r.errors, 0);
  assert.deepEqual(rdpObs(r.obs), [
    [1, c.ip, 'x224.cr', 'rdp-client'],
    [2, SRV.ip, 'x224.cc', 'rdp-server'],
    [2, SRV.ip, 'selectedProtocol', 'rdp-security=rdp'],
    [5, c.ip, 'clientBuild', 'rdp-client-build=2600'],
    [5, c.ip, 'clientName', 'ÉQUIPE-12'],
  ]);
});

test('RDP with CredSSP: what is in clear is read, the TLS that follows is left to the TLS dissector', () => {
  const c = client();
  const hello = concat(
    [0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03],
    new Array(32).fill(7),
    [0, 0, 2, 0x13, 0x01, 1, 0, 0, 0],
  );
  const r = decodeFrames([
    tcpFrame(c, SRV, connectionRequest({ cookie: 'CORP\\bob', requested: 3 })),
    tcpFrame(SRV, c, connectionConfirm({ selected: 2 })),
    tcpFrame(c, SRV, hello),
  ]);
  assert.equal(r.errors, 0);
  assert.deepEqual(rdpObs(r.obs), [
    [1, c.ip, 'x224.cr', 'rdp-client'],
    [1, c.ip, 'cookie', 'rdp-user=CORP\\bob'],
    [2, SRV.ip, 'x224.cc', 'rdp-server'],
    [2, SRV.ip, 'selectedProtocol', 'rdp-security=credssp'],
  ]);
  assert.ok(
    r.obs.some((o) => o.protocol === 'tls' && o.frame === 3),
    'the ClientHello after the negotiation reached TLS',
  );
  const p = r.decoder.packet;
  assert.ok(p.hasProto('tls') && !p.hasProto('rdp'));
});

test('RDP: a negotiation failure names no protocol; non-TPKT bytes on 3389 are not RDP', () => {
  const c = client();
  const fail = decodeFrames([
    tcpFrame(c, SRV, connectionRequest({ requested: 0 })),
    tcpFrame(SRV, c, connectionConfirm({ failure: 2 })),
  ]);
  assert.deepEqual(
    rdpObs(fail.obs).map((x) => x[3]),
    ['rdp-client', 'rdp-server'],
  );
  const c2 = client();
  const junk = decodeFrames([tcpFrame(c2, SRV, ascii('GET / HTTP/1.1\r\n\r\n'))]);
  assert.deepEqual(
    junk.obs.filter((o) => o.protocol === 'rdp'),
    [],
  );
  assert.equal(junk.decoder.packet.hasProto('rdp'), false);
});

test('RDP: lying lengths, truncated blocks and mutated PDUs never throw or misread', () => {
  const c = client();
  // A core data block whose length runs past the user data: nothing read.
  const core = clientCore('LIAR', 1);
  const bad = core.slice();
  bad[2] = 0xff;
  bad[3] = 0x7f;
  const lied = decodeFrames([tcpFrame(c, SRV, connectInitial(bad))]);
  assert.deepEqual(ofKind(lied.obs, 'hostname'), []);
  // A name that fills all 32 bytes without a terminator is cut at the field's end.
  const full = decodeFrames([
    tcpFrame(
      client(),
      SRV,
      connectInitial(clientCore('', 1, [...Buffer.from('ABCDEFGHIJKLMNOPQRST', 'utf16le')])),
    ),
  ]);
  assert.deepEqual(
    ofKind(full.obs, 'hostname').map((o) => o.name),
    ['ABCDEFGHIJKLMNOP'],
  );
  const frames = [
    tcpFrame(client(), SRV, connectionRequest({ cookie: 'alice', requested: 0 }), { seq: 1 }),
    tcpFrame(SRV, client(), connectionConfirm({ selected: 0 }), { seq: 1 }),
    tcpFrame(client(), SRV, connectInitial(clientCore('WIN7-PC', 7601)), { seq: 1 }),
  ];
  for (const f of frames) for (const v of hostileVariants(f, 54)) assert.equal(decodeFrames([v]).errors, 0);
});
