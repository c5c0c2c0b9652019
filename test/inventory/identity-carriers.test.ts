/**
 * The identity section for facts from the new carriers: NTLMSSP read in DCE/RPC and HTTP shows under
 * `ntlm` like SMB's, and PROFINET IO CM Connect under `profinet` like DCP's, with the device's
 * protocol list naming `dcerpc` and `profinet` (never the part `pn_io`). Crafted frames through the
 * whole pipeline (pcap file, analyzer, device records).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import type { DeviceJson, InventoryJson } from '../../shared/model/inventory';
import { ascii, concat, tcpFrame, udpFrame } from '../helpers/packets';
import { writePcap } from '../helpers/pcap-writer';
import { av, ntlmChallenge, utf16 } from '../protocols/it/smb-build';
import { ntlmBind, ntlmAuthenticate } from '../protocols/it/ntlm-build';
import {
  arBlockReq,
  connectResBlocks,
  expectedSubmodule,
  pnioObject,
  pnioRpc,
} from '../protocols/ot/pnio-build';

const DC = { mac: '02:00:00:00:05:01', ip: '10.5.0.1', port: 135 };
const WS = { mac: '02:00:00:00:05:02', ip: '10.5.0.2', port: 50001 };
const WEB = { mac: '02:00:00:00:05:03', ip: '10.5.0.3', port: 80 };
const PLC = { mac: '02:00:00:00:05:04', ip: '10.5.0.4', port: 49153 };
const IOD = { mac: '02:00:00:00:05:05', ip: '10.5.0.5', port: 34964 };

function frames(): Uint8Array[] {
  const chal = (name: string) =>
    ntlmChallenge(
      utf16('CORP'),
      concat(av(2, 'CORP'), av(1, name), av(4, 'corp.example.com'), new Uint8Array(4)),
      17763,
    );
  const auth = ntlmAuthenticate({ domain: 'CORP', user: 'u', host: 'WS-0502', build: 19045 });
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const rpc = ntlmBind(true, 19045, chal('DC01'), auth);
  return [
    tcpFrame(WS, DC, rpc.bind),
    tcpFrame(DC, WS, rpc.ack),
    tcpFrame(WS, DC, rpc.auth3),
    tcpFrame(
      WEB,
      { ...WS, port: 50002 },
      ascii(
        `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM ${b64(chal('WEB01'))}\r\nContent-Length: 0\r\n\r\n`,
      ),
    ),
    udpFrame(
      PLC,
      IOD,
      pnioRpc(
        0,
        pnioObject(0x011e, 0x0a01),
        concat(arBlockReq(pnioObject(0x002a, 0x0e04, 100), 'plc-line-3'), expectedSubmodule(1, 0x110, [])),
      ),
    ),
    udpFrame(IOD, PLC, pnioRpc(2, pnioObject(0x011e, 0x0a01), connectResBlocks('io-station-7'))),
  ];
}

const values = (d: DeviceJson | undefined, group: string, label: string) =>
  (d?.identity?.[group] ?? []).filter((f) => f.label === label).map((f) => f.value);

test('identity and OS: NTLM from DCE/RPC and HTTP, PROFINET from IO CM Connect', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'glasspane-carriers-'));
  try {
    const file = writePcap(
      join(dir, 'carriers.pcap'),
      1,
      frames().map((data, i) => ({ data, ts: Date.UTC(2024, 0, 1) + i })),
    );
    const a = createAnalyzer();
    await analyzeFile(a, file);
    const inv: InventoryJson = a.snapshot();
    const dev = (ip: string) => inv.devices.find((d) => d.ips.includes(ip));
    const dc = dev(DC.ip);
    assert.deepEqual(values(dc, 'ntlm', 'computer'), ['DC01']);
    assert.deepEqual(values(dc, 'ntlm', 'windows build'), ['10.0.17763']);
    assert.ok(dc?.protocols.includes('dcerpc'), JSON.stringify(dc?.protocols));
    // The NTLM rules and the Windows table apply as they do to SMB's facts.
    assert.equal(dc?.os, 'Windows 10 1809 / Server 2019, NT 10.0.17763');
    assert.equal(dev(WS.ip)?.os, 'Windows 10 22H2, NT 10.0.19045');
    const ws = dev(WS.ip);
    assert.deepEqual(values(ws, 'ntlm', 'workstation'), ['WS-0502']);
    assert.deepEqual(values(ws, 'ntlm', 'domain'), ['CORP']);
    assert.deepEqual(values(dev(WEB.ip), 'ntlm', 'computer'), ['WEB01']);
    const iod = dev(IOD.ip);
    assert.deepEqual(values(iod, 'profinet', 'vendor id'), ['0x011e']);
    assert.deepEqual(values(iod, 'profinet', 'device id'), ['0x0a01']);
    assert.deepEqual(values(iod, 'profinet', 'station name'), ['io-station-7']);
    assert.deepEqual(values(iod, 'profinet', 'module'), ['slot 1: 0x00000110']);
    const plc = dev(PLC.ip);
    assert.deepEqual(values(plc, 'profinet', 'station name'), ['plc-line-3']);
    assert.deepEqual(values(plc, 'profinet', 'vendor'), ['Siemens AG']);
    for (const d of [iod, plc]) {
      assert.ok(d?.protocols.includes('profinet'), JSON.stringify(d?.protocols));
      assert.ok(!d?.protocols.includes('pn_io'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
