import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Observation } from '../../../shared/model/observation';
import { cipDeviceTypeName } from '../../../shared/protocols/ot/registries';
import { PCAPS, runCapture } from './corpus';

/**
 * Every OT fact GROUND_TRUTH.jsonl lists (what tshark shows per device) is checked against what our
 * dissectors state about the same device. Keys of other protocols (DHCP, LLDP, SMB ...) are not ours.
 */

interface GtDevice {
  key: string;
  macs: string[];
  ips: string[];
  evidence: Record<string, [string, string[]][]>;
}

type Check = (obs: Observation[], value: string) => boolean;

const idv = (obs: Observation[], attr: string) =>
  obs.flatMap((o) => (o.kind === 'identity' && o.attr === attr ? [o.value] : []));
const atv = (obs: Observation[], key: string) =>
  obs.flatMap((o) => (o.kind === 'attribute' && o.key === key ? [o.value] : []));
const hasRole = (obs: Observation[], ...roles: string[]) =>
  obs.some((o) => o.kind === 'role' && roles.includes(o.role));
const num = (v: string) => String(Number(v));
const fromField = (obs: Observation[], prefix: string) => obs.filter((o) => o.field.startsWith(prefix));
const devType = (obs: Observation[], v: string) => {
  const n = Number(v);
  return idv(obs, 'device-type').includes(cipDeviceTypeName(n) ?? 'CIP device type ' + n);
};

/** Evidence key -> how our observations show it. Role evidence is keyed by its value. */
const CHECKS: Record<string, Check> = {
  'ENIP ListIdentity vendor id': (o, v) => idv(fromField(o, 'ListIdentity'), 'vendor-id').includes(num(v)),
  'ENIP ListIdentity device type': (o, v) => devType(fromField(o, 'ListIdentity'), v),
  'ENIP ListIdentity product code': (o, v) => idv(fromField(o, 'ListIdentity'), 'product-code').includes(v),
  // tshark shows the revision as one 16-bit number: major * 256 + minor.
  'ENIP ListIdentity revision': (o, v) =>
    idv(fromField(o, 'ListIdentity'), 'firmware').some((f) => {
      const [a, b] = f.split('.').map(Number);
      return a! * 256 + b! === Number(v);
    }),
  'ENIP ListIdentity serial': (o, v) => idv(fromField(o, 'ListIdentity'), 'serial').includes(v),
  'ENIP ListIdentity product name': (o, v) => idv(fromField(o, 'ListIdentity'), 'product').includes(v),
  'CIP Identity vendor id': (o, v) => idv(fromField(o, 'Identity'), 'vendor-id').includes(num(v)),
  'CIP Identity device type': (o, v) => devType(fromField(o, 'Identity'), v),
  'CIP Identity product code': (o, v) => idv(fromField(o, 'Identity'), 'product-code').includes(v),
  'CIP Identity serial': (o, v) => idv(fromField(o, 'Identity'), 'serial').includes(v),
  'CIP Identity product name': (o, v) => idv(fromField(o, 'Identity'), 'product').includes(v),
  'CIP Identity revision': (o, v) => idv(fromField(o, 'Identity'), 'firmware').includes(v),
  'Modbus unit id': (o, v) => atv(o, 'modbus.unit-id').includes(v),
  'Modbus FC43 (Read Device Identification) request sent': (o) =>
    atv(o, 'modbus.read-device-identification').length > 0,
  'Modbus FC43 (Read Device Identification) response sent': (o, v) =>
    fromField(o, 'ReadDeviceId.').length >= Number(v.split(' ')[0]),
  'Modbus FC43 device identification objects': (o, v) =>
    v
      .split(' | ')
      .every((s) =>
        fromField(o, 'ReadDeviceId.').some(
          (x) => (x.kind === 'identity' || x.kind === 'attribute') && x.value === s,
        ),
      ),
  'S7 SZL ids answered': (o, v) => atv(o, 's7.szl-answered').includes(v),
  'S7 SZL 0x1C PLC name': (o, v) => idv(o, 'station-name').includes(v),
  'S7 SZL 0x1C module name': (o, v) => atv(o, 's7.module-name').includes(v),
  'S7 SZL 0x1C serial number': (o, v) => idv(o, 'serial').includes(v),
  'S7 SZL 0x1C CPU type': (o, v) => idv(o, 'product').includes(v),
  'S7 SZL 0x0011 module identification': (o, v) => {
    const m = /\(0x(\w+)\): order no\. \(MlfB\) (.*), Ausbg (\d+), Ausbe (\d+)/.exec(v);
    if (m === null) return false;
    const [, index, mlfb, ausbg] = m;
    if (index === '0001')
      return idv(o, 'model').includes(mlfb!.trim()) && idv(o, 'hardware').includes(ausbg!);
    if (index === '0006') return atv(o, 's7.basic-hardware').includes(mlfb!.trim() + ' ' + ausbg);
    return atv(o, 's7.firmware-extension').some((x) => x.startsWith(mlfb!.trim()));
  },
  'BACnet device instance (I-Am)': (o, v) => idv(fromField(o, 'I-Am'), 'instance').includes(v),
  'BACnet vendor id (I-Am)': (o, v) => idv(fromField(o, 'I-Am'), 'vendor-id').includes(v),
  'BACnet ReadProperty-ACK model-name': (o, v) => idv(o, 'model').includes(v),
  'BACnet ReadProperty-ACK firmware-revision': (o, v) => idv(o, 'firmware').includes(v),
  'BACnet ReadProperty-ACK application-software-version': (o, v) => idv(o, 'software').includes(v),
  'BACnet ReadProperty-ACK location': (o, v) => idv(o, 'location').includes(v),
  'BACnet ReadProperty-ACK vendor-name': (o, v) => idv(o, 'vendor').includes(v),
  'BACnet ReadProperty-ACK object-name': (o, v) => idv(o, 'station-name').includes(v),
  'BACnet ReadProperty-ACK description': (o, v) => idv(o, 'description').includes(v),
  'PN-DCP NameOfStation': (o, v) => idv(o, 'station-name').includes(v.trim()),
  'PN-DCP VendorID': (o, v) => idv(o, 'vendor-id').includes(v),
  'PN-DCP DeviceID': (o, v) => idv(o, 'product-code').includes(v),
  'PN-DCP DeviceVendorValue (type of station)': (o, v) => idv(o, 'product').includes(v),
  'PN-DCP device role': (o, v) => atv(o, 'pn_dcp.device-role').includes(v),
  'PN-DCP IP': (o, v) => atv(o, 'pn_dcp.ip').some((x) => x.startsWith(v + '/')),
  'PN-DCP request carrying IP (e.g. Set IP)': (o, v) =>
    o.some((x) => x.kind === 'event' && x.event === 'ip-settings-change' && x.facts.ip === v),
  'PN-DCP request naming a station (not necessarily itself)': (o, v) =>
    atv(o, 'pn_dcp.identify-filter-name').includes(v) ||
    o.some(
      (x) => x.kind === 'event' && x.event === 'station-name-change' && String(x.facts.name).includes(v),
    ),
  'DNP3 link address': (o, v) => atv(o, 'dnp3.address').includes(v),
  'IEC104 ASDU common address': (o, v) => atv(o, 'iec104.common-address').includes(v),
  'OPC UA EndpointUrl': (o, v) => atv(o, 'opcua.endpoint-url').includes(v),
  'OPC UA ApplicationUri': (o, v) =>
    atv(o, 'opcua.application-uri').includes(v) || atv(o, 'opcua.registered-application').includes(v),
  'OPC UA ProductUri': (o, v) => atv(o, 'opcua.product-uri').includes(v),
  'MQTT client id': (o, v) => atv(o, 'mqtt.client-id').includes(v),
  'MQTT username': (o, v) => atv(o, 'mqtt.username').includes(v),
  'CoAP Uri-Path (request)': (o, v) => atv(o, 'coap.request-uri-path').includes(v),
};

const ROLE_CHECKS: Record<string, Check> = {
  'EtherNet/IP target (port 44818)': (o) => hasRole(o, 'enip-server'),
  'EtherNet/IP originator/scanner': (o) => hasRole(o, 'enip-client', 'cip-scanner'),
  'EtherNet/IP device (ListIdentity response)': (o) => fromField(o, 'ListIdentity').length > 0,
  'Modbus/TCP client (master/HMI)': (o) => hasRole(o, 'modbus-client'),
  'Modbus/TCP server (port 502)': (o) => hasRole(o, 'modbus-server'),
  'S7comm client (engineering station/HMI)': (o) => hasRole(o, 's7-client', 's7plus-client'),
  'S7comm server (ISO-TSAP port 102, PLC)': (o) => hasRole(o, 's7-server', 's7plus-server'),
  'BACnet Who-Is sender': (o) => hasRole(o, 'bacnet-who-is-sender'),
  'BACnet device (I-Am)': (o) => hasRole(o, 'bacnet-device'),
  'DNP3 master (DIR=1)': (o) => hasRole(o, 'dnp3-master'),
  'DNP3 outstation (DIR=0)': (o) => hasRole(o, 'dnp3-outstation'),
  'IEC 60870-5-104 controlling station': (o) => hasRole(o, 'iec104-controlling-station'),
  'IEC 60870-5-104 controlled station (port 2404)': (o) => hasRole(o, 'iec104-controlled-station'),
  'MQTT client (CONNECT)': (o) => hasRole(o, 'mqtt-client'),
  'MQTT broker (CONNACK)': (o) => hasRole(o, 'mqtt-broker'),
};

/**
 * Known, deliberate differences (file | device | evidence | value -> reason). Each is a choice of
 * ours, not a decoding error.
 */
const EXCEPTIONS: Record<string, string> = {
  'iec104__iti-ics__JavaRMI_and_IEC_Misc.pcap|00:15:c5:18:d4:cc|IEC104 ASDU common address|37133':
    'the common address names the controlled station; we attribute it to that station only',
  'iec104__iti-ics__JavaRMI_and_IEC_Misc.pcap|00:e0:ab:01:10:f8|IEC104 ASDU common address|37133':
    'the common address names the controlled station; we attribute it to that station only',
  'iec104__iti-ics__TestDissectIec104.pcap|00:13:72:d7:87:8a|IEC104 ASDU common address|37133':
    'the common address names the controlled station; we attribute it to that station only',
};

const OT_FILES =
  /^(enip|multi-lan-enip|modbus|fuzz-modbus|s7comm|sll-s7comm|bacnet|vlan-qinq-bacnet|profinet|dnp3|fuzz-dnp3|iec104|opcua|mqtt|coap|ics-)/;

test('ground truth: every OT fact tshark shows per device is stated by our dissectors', async (t) => {
  const gtPath = path.join(PCAPS, 'GROUND_TRUTH.jsonl');
  if (!existsSync(gtPath)) return t.skip('ground truth absent');
  const failures: string[] = [];
  let checked = 0;
  for (const line of readFileSync(gtPath, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const gt = JSON.parse(line) as { file: string; devices: GtDevice[] };
    if (!OT_FILES.test(gt.file) || !existsSync(path.join(PCAPS, gt.file))) continue;
    const r = await runCapture(gt.file);
    for (const dev of gt.devices) {
      const mine = r.obs.filter(
        (o) =>
          (o.device.mac !== null && dev.macs.includes(o.device.mac)) ||
          (o.device.ip !== null &&
            dev.ips.includes(o.device.ip) &&
            (o.device.mac === null || dev.macs.length === 0)),
      );
      for (const [key, items] of Object.entries(dev.evidence)) {
        for (const [value] of items) {
          const check = key === 'role' ? ROLE_CHECKS[value] : CHECKS[key];
          if (check === undefined) continue; // another protocol's fact
          checked++;
          const id = `${gt.file}|${dev.key}|${key}|${value}`;
          if (check(mine, value)) continue;
          if (EXCEPTIONS[id] !== undefined) t.diagnostic(`exception: ${id}: ${EXCEPTIONS[id]}`);
          else failures.push(id);
        }
      }
    }
  }
  t.diagnostic(`${checked} ground-truth OT facts checked`);
  assert.deepEqual(failures, []);
  assert.ok(checked > 100);
});
