import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, factsFromCase } from '../../shared/classify';
import { loadRules } from '../../src-main/classify/load';

const rules = loadRules();

/** The type, model and the rules behind the type of a device described like a rule test case. */
function typeOf(facts: Record<string, string>, roles: string[] = []) {
  const c = classify(factsFromCase({ facts, roles }), rules);
  return { type: c.type.value, model: c.model.value, rules: c.type.evidence.map((e) => e.rule) };
}

test('a model string of a known family types the device through the whole classifier', () => {
  const cam = typeOf({ 'software/ssdp/SERVER/Linux': 'Linux/3.10 UPnP/1.0 DS-2CD2143G0-I/V5.5.0' });
  assert.equal(cam.type, 'ip-camera');
  assert.ok(cam.rules.includes('product-lines.hikvision-camera'), cam.rules.join());
  assert.equal(typeOf({ 'hostname/dhcp/option12': 'shellyplug-s-7C87CE' }).type, 'smart-plug');
  assert.equal(typeOf({ 'identity/mdns/TXT.ty/product': 'HP OfficeJet Pro 9010 series' }).type, 'printer');
  assert.equal(typeOf({ 'identity/mdns/TXT.md/model': 'Chromecast' }).type, 'media-player');
});

test("a family in the device's own model statement types it; only free text has a model cut out", () => {
  // mDNS TXT ty is the printer's own make and model; its instance name says it again among other words.
  const printer = typeOf({
    'identity/mdns/TXT.ty/product': 'HP LaserJet Pro M404dn',
    'attribute/mdns/PTR.answer/service-instance': 'HP LaserJet Pro M404dn (2A905E)._ipp._tcp.local',
  });
  assert.equal(printer.type, 'printer');
  assert.equal(printer.model, 'HP LaserJet Pro M404dn');
  // A stated model of a known family keeps all of it, suffixes included.
  assert.equal(typeOf({ 'identity/mdns/TXT.model/model': 'KP115(EU)' }).model, 'KP115(EU)');
  const ap = typeOf({ 'identity/cdp/platform/model': 'cisco AIR-CAP3702I-E-K9' });
  assert.equal(ap.type, 'access-point');
  // CDP's own rule (cdp.platform-cisco) reads the platform; product-lines cuts nothing from it.
  assert.equal(ap.model, 'AIR-CAP3702I-E-K9');
  // Free text alone: the family and the model characters that follow it.
  const cam = typeOf({ 'software/http/Server/webs': 'DNVRS-Webs DS-2CD2042WD-I' });
  assert.equal(cam.model, 'DS-2CD2042WD-I');
  const phone = typeOf({ 'software/sip/User-Agent/Yealink': 'Yealink SIP-T46S 66.86.0.15' });
  assert.equal(phone.model, 'SIP-T46S');
});

test('an unknown family is an iot-device with its model kept; PCs and OT models are not', () => {
  const u = typeOf({ 'identity/mdns/TXT.model/model': 'Acme Widget 3000' });
  assert.equal(u.type, 'iot-device');
  assert.equal(u.model, 'Acme Widget 3000');
  assert.notEqual(typeOf({ 'identity/mdns/TXT.model/model': 'MacBookPro16,1' }).type, 'iot-device');
  assert.notEqual(
    typeOf({ 'identity/modbus/ReadDeviceId.ProductCode/model': 'BMX P34 2020' }).type,
    'iot-device',
  );
});

test('a device that only produces CIP I/O is an OT field device at Purdue level 1', () => {
  const c = classify(factsFromCase({ roles: ['cip-io-producer'] }), rules);
  assert.equal(c.type.value, 'ot-device');
  assert.equal(c.purdue?.level, 1);
});

test('an identity that says gateway wins over the OT responder default; a bare responder is an OT device', () => {
  assert.equal(typeOf({}, ['modbus-server']).type, 'ot-device');
  // CIP device type 41 is a Modbus translator (gateway): it must not read as a PLC or a bare field device.
  const gw = typeOf({ 'identity/enip/Identity.deviceType/device-type-id': '41' }, ['enip-server']);
  assert.equal(gw.type, 'protocol-gateway');
  // A Modbus server whose Read Device Identification names a gateway family is a gateway.
  const mgate = typeOf({ 'identity/modbus/ReadDeviceId.ProductCode/product-code': 'MGate MB3180' }, [
    'modbus-server',
  ]);
  assert.equal(mgate.type, 'protocol-gateway');
  assert.ok(mgate.rules.includes('product-lines.ot-gateway'), mgate.rules.join());
  // A CompactLogix answers as a communications adapter (type 12) but its catalogue number says controller.
  const logix = typeOf(
    {
      'identity/enip/Identity.deviceType/device-type-id': '12',
      'identity/enip/Identity.productName/product': '1769-L33ER/A LOGIX5333ER',
    },
    ['enip-server'],
  );
  assert.equal(logix.type, 'plc');
  // An ET 200S with an integrated CPU has ET 200 series digits but is a PLC.
  assert.equal(
    typeOf({ 'identity/s7comm/SZL0x0011.module/model': '6ES7 151-8AB01-0AB0' }, ['s7-server']).type,
    'plc',
  );
});

test('hostile model strings: long, repetitive and odd text classifies quickly', () => {
  const pieces = [
    'DS',
    'DS-',
    'shelly',
    'AXIS ',
    'HS1',
    'EP',
    'RICOH ',
    'Avaya ',
    'a-',
    '9',
    '+',
    ' ',
    'UE55',
    'SN',
  ];
  const started = Date.now();
  for (const p of pieces) {
    const long = p.repeat(Math.ceil(50_000 / p.length));
    for (const key of ['identity/mdns/TXT.model/model', 'software/http/Server/x', 'hostname/dhcp/option12'])
      classify(factsFromCase({ facts: { [key]: long } }), rules);
  }
  assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
});
