import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Observation } from '../../../shared/model/observation';
import { groundTruth, type GtDevice, skipUnlessCorpus } from '../../helpers/corpus';
import { PCAPS, runCapture, type RunResult } from './corpus';
import { reverseToIp } from '../../../shared/protocols/it/dns';

/**
 * Every value GROUND_TRUTH.jsonl lists for our protocols (host names, vendor classes, LLDP/CDP names
 * and descriptions, mDNS TXT (models), SSDP SERVER strings, ...) must be found among our observations
 * for the same device. GT keys devices by source MAC, or "IP (via MAC ...)" behind a router.
 * Comparison is whitespace-insensitive and by containment (GT clips long values).
 */
type Pick = (o: Observation) => string | null;

const str = (o: Observation): string | null => {
  switch (o.kind) {
    case 'hostname':
      return o.name;
    case 'identity':
      return o.value;
    case 'attribute':
      return o.value;
    case 'software':
      return o.raw;
    case 'fingerprint':
      return o.value;
    case 'name-query':
      return o.name;
    default:
      return null;
  }
};
const when =
  (f: (o: Observation) => boolean): Pick =>
  (o) =>
    f(o) ? str(o) : null;

const unquote = (v: string) => v.replace(/^"|"$/g, '');

/**
 * GT's mDNS "hostname" lines are dns.resp.name of responses: every record owner, which includes
 * service instances, service types and reverse names. We report those as services, attributes and
 * address bindings; reverse names are compared by the address they stand for.
 */
const mdnsNames: Pick = (o) => {
  if (o.protocol !== 'mdns' && o.protocol !== 'llmnr') return null;
  if (o.kind === 'hostname') return o.name;
  if (o.kind === 'service') return o.name;
  if (o.kind === 'address') return o.ip;
  if (o.kind === 'attribute' && (o.key === 'service-instance' || o.key === 'service-type')) return o.value;
  return null;
};
const mdnsGt = (v: string) => reverseToIp(v) ?? v;
const nbName = (v: string) => v.replace(/\s*\(.*\)$/, '').replace(/<[0-9a-f]{2}>$/i, '');

const EVIDENCE: Record<string, { pick: Pick; gt?: (v: string) => string }> = {
  'hostname (DHCP opt 12)': { pick: when((o) => o.protocol === 'dhcp' && o.field === 'option12') },
  'FQDN (DHCP opt 81)': {
    pick: when((o) => o.protocol === 'dhcp' && o.field === 'option81'),
    gt: (v) => v.replace(/\.$/, ''),
  },
  'DHCP vendor class (opt 60)': {
    pick: when(
      (o) =>
        o.kind === 'attribute' &&
        (o.key === 'vendor-class' || o.key === 'vendor-class-served') &&
        o.protocol === 'dhcp',
    ),
  },
  'DHCP param request list (opt 55)': { pick: when((o) => o.kind === 'fingerprint' && o.scheme === 'dhcp') },
  'LLDP system name': { pick: when((o) => o.protocol === 'lldp' && o.kind === 'hostname') },
  'LLDP system description': {
    pick: when((o) => o.protocol === 'lldp' && o.kind === 'identity' && o.attr === 'description'),
  },
  'CDP device id': { pick: when((o) => o.protocol === 'cdp' && o.kind === 'hostname') },
  'CDP platform': { pick: when((o) => o.protocol === 'cdp' && o.kind === 'identity' && o.attr === 'model') },
  'CDP software version': {
    pick: when((o) => o.protocol === 'cdp' && o.kind === 'identity' && o.attr === 'software'),
  },
  'CDP VTP domain': {
    pick: when((o) => o.protocol === 'cdp' && o.kind === 'identity' && o.attr === 'domain'),
  },
  'mDNS TXT': {
    pick: (o) =>
      o.protocol === 'mdns' && o.kind === 'attribute' && o.key.startsWith('txt.')
        ? o.key.slice(4) + (o.value === '' ? '' : '=' + o.value)
        : null,
    gt: (v) =>
      v.includes('=') ? v.slice(0, v.indexOf('=')).toLowerCase() + v.slice(v.indexOf('=')) : v.toLowerCase(),
  },
  'hostname (mDNS A/AAAA answer)': { pick: mdnsNames, gt: mdnsGt },
  'hostname (mDNS probe/announce)': { pick: mdnsNames, gt: mdnsGt },
  'mDNS SRV target': {
    pick: when((o) => o.protocol === 'mdns' && o.kind === 'hostname' && o.field === 'SRV.target'),
  },
  'hostname (LLMNR A/AAAA answer)': { pick: when((o) => o.protocol === 'llmnr' && o.kind === 'hostname') },
  'SSDP SERVER header': {
    pick: when((o) => o.protocol === 'ssdp' && o.kind === 'software' && o.field === 'SERVER'),
  },
  'SSDP User-Agent': {
    pick: when((o) => o.protocol === 'ssdp' && o.kind === 'software' && o.field === 'USER-AGENT'),
  },
  'NetBIOS name (BROWSER host/local-master announcement)': {
    pick: when((o) => o.protocol === 'browser' && o.kind === 'hostname'),
  },
  'workgroup/domain name (BROWSER domain announcement)': {
    pick: when((o) => o.protocol === 'browser' && o.kind === 'identity' && o.attr === 'workgroup'),
  },
  'OS version (BROWSER announcement)': {
    pick: when((o) => o.protocol === 'browser' && o.kind === 'identity' && o.attr === 'os-version'),
  },
  'BROWSER comment': {
    pick: when((o) => o.protocol === 'browser' && o.kind === 'identity' && o.attr === 'description'),
  },
  'NetBIOS name (NBNS positive response)': {
    pick: when((o) => o.protocol === 'nbns' && (o.kind === 'hostname' || o.kind === 'identity')),
    gt: nbName,
  },
  'NetBIOS name (NBNS registration/refresh)': {
    pick: when((o) => o.protocol === 'nbns' && (o.kind === 'hostname' || o.kind === 'identity')),
    gt: nbName,
  },
  'HTTP Server header': {
    pick: when((o) => o.protocol === 'http' && o.kind === 'software' && o.field === 'Server'),
  },
  'HTTP User-Agent': {
    pick: when((o) => o.protocol === 'http' && o.kind === 'software' && o.field === 'User-Agent'),
  },
  'SSH banner': { pick: when((o) => o.protocol === 'ssh' && o.kind === 'software') },
  // TLS over TCP, and the ClientHello inside QUIC Initial packets.
  'TLS SNI (client)': {
    pick: when((o) => (o.protocol === 'tls' || o.protocol === 'quic') && o.kind === 'name-query'),
  },
  'TLS JA3 (client)': { pick: when((o) => o.kind === 'fingerprint' && o.scheme === 'ja3') },
  'SNMP sysName': { pick: when((o) => o.protocol === 'snmp' && o.kind === 'hostname'), gt: unquote },
  'SNMP sysDescr': {
    pick: when((o) => o.protocol === 'snmp' && o.kind === 'identity' && o.attr === 'description'),
    gt: unquote,
  },
  'SNMP sysLocation': {
    pick: when((o) => o.protocol === 'snmp' && o.kind === 'identity' && o.attr === 'location'),
    gt: unquote,
  },
  'SNMP sysContact': {
    pick: when((o) => o.protocol === 'snmp' && o.kind === 'identity' && o.attr === 'contact'),
    gt: unquote,
  },
  'hostname (NTLMSSP CHALLENGE NetBIOS computer)': {
    pick: when((o) => o.field === 'ntlmssp.challenge.nbComputerName'),
  },
  'hostname (NTLMSSP CHALLENGE DNS computer)': {
    pick: when((o) => o.field === 'ntlmssp.challenge.dnsComputerName'),
  },
  'hostname (NTLMSSP AUTH workstation)': { pick: when((o) => o.field === 'ntlmssp.auth.workstation') },
  'OS version (NTLMSSP version)': {
    pick: when((o) => o.kind === 'identity' && o.attr === 'os-version' && o.field.startsWith('ntlmssp')),
    gt: (v) => v.replace(' build ', '.'),
  },
  'SMB Native OS': { pick: when((o) => o.protocol === 'smb' && o.kind === 'identity' && o.attr === 'os') },
  'SMB Native LAN Manager': { pick: when((o) => o.protocol === 'smb' && o.kind === 'software') },
  'FQDN (DHCPv6 opt 39)': { pick: when((o) => o.protocol === 'dhcpv6' && o.kind === 'hostname') },
  'DHCPv6 vendor class (opt 16)': {
    pick: when((o) => o.protocol === 'dhcpv6' && o.kind === 'attribute' && o.key === 'vendor-class'),
    gt: (v) => v.replace(/^enterprise (\d+): /, '$1:'),
  },
  'STP root bridge MAC': {
    pick: (o) =>
      o.protocol === 'stp' && o.kind === 'attribute' && o.key === 'stp-root-id'
        ? o.value.slice(o.value.indexOf('/') + 1)
        : null,
  },
};

/** Listed values we knowingly do not find, with the reason. Key: `${file}|${device}|${evidence}|${value}`. */
const EXCEPTIONS: Record<string, string> = {
  'multi-lan-mixed__ndpi__telegram.pcap|8c:fe:57:23:37:e4|hostname (mDNS probe/announce)|<Root>':
    'the root name (an OPT pseudo-record owner in tshark terms) names nobody',
  'multi-lan-mixed__ndpi__telegram.pcap|8c:fe:57:23:37:e4|hostname (mDNS A/AAAA answer)|<Root>':
    'the root name, as above',
  ...Object.fromEntries(
    [
      'iot-setup__iot-sentinel__D-LinkHomeHub_Setup-C-3-STA.pcap|1c:5f:2b:aa:fd:4e',
      'iot-setup__iot-sentinel__D-LinkSiren_Setup-C-19-STA.pcap|90:8d:78:dd:0d:60',
      'iot-setup__iot-sentinel__D-LinkSwitch_Setup-C-4-STA.pcap|90:8d:78:a9:3d:6f',
    ].map((k) => [
      k + '|hostname (mDNS A/AAAA answer)|_services._dns-sd._udp.local',
      'the DNS-SD service-enumeration owner name names no host; we report the service types it lists (attribute service-type)',
    ]),
  ),
};

// GT writes line breaks as a literal backslash-n; whitespace and case do not count.
const squash = (s: string) =>
  s
    .replace(/\\[nr]/g, '')
    .replace(/\s+/g, '')
    .toLowerCase();
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function deviceMatches(d: GtDevice, o: Observation): boolean {
  if (d.via === '' && MAC.test(d.key)) return o.device.mac === d.key;
  return o.device.ip !== null && d.ips.includes(o.device.ip);
}

test('ground truth: every listed value of our protocols is found for its device', (t) => {
  if (skipUnlessCorpus(t)) return;
  const counts = new Map<string, [number, number]>();
  const missing: string[] = [];
  const runs = new Map<string, RunResult>();
  for (const cap of groundTruth()) {
    for (const d of cap.devices) {
      for (const [ev, vals] of Object.entries(d.evidence)) {
        const spec = EVIDENCE[ev];
        if (spec === undefined) continue;
        let r = runs.get(cap.file);
        if (r === undefined) runs.set(cap.file, (r = runCapture(join(PCAPS, cap.file))));
        const ours = r.obs
          .filter((o) => deviceMatches(d, o))
          .map(spec.pick)
          .filter((v): v is string => v !== null)
          .map(squash);
        for (const [raw] of vals) {
          const want = squash(spec.gt ? spec.gt(raw) : raw);
          const c = counts.get(ev) ?? [0, 0];
          c[1]++;
          const key = `${cap.file}|${d.key}|${ev}|${raw}`;
          if (ours.some((v) => v === want || v.includes(want)) || EXCEPTIONS[key] !== undefined) c[0]++;
          else if (missing.length < 40) missing.push(key);
          counts.set(ev, c);
        }
      }
    }
  }
  for (const [ev, [ok, all]] of [...counts].sort()) t.diagnostic(`${ev}: ${ok}/${all}`);
  assert.ok(counts.size > 20, 'ground truth lists our protocols');
  assert.deepEqual(missing, []);
});
