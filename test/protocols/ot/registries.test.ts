import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  bacnetVendorName,
  cipDeviceTypeName,
  cipVendorName,
  profinetVendorName,
} from '../../../shared/protocols/ot/registries';

const dir = fileURLToPath(new URL('../../../assets/registries/', import.meta.url));

test('every generated registry names its source, says it is generated, and maps ids to names', () => {
  for (const f of [
    'cip-vendors.json',
    'cip-device-types.json',
    'bacnet-vendors.json',
    'profinet-vendors.json',
  ]) {
    const data = JSON.parse(readFileSync(dir + f, 'utf8')) as Record<string, unknown>;
    assert.equal(typeof data._source, 'string', f);
    assert.match(String(data._generated), /generated/, f);
    const entries = Object.entries(data).filter(([k]) => !k.startsWith('_'));
    assert.ok(entries.length > 0, f);
    for (const [k, v] of entries) {
      assert.match(k, /^\d+$/, `${f}: key ${k}`);
      assert.ok(typeof v === 'string' && v.length > 0 && v.length < 200, `${f}: ${k}`);
    }
  }
});

test('lookups: known ids resolve, unknown and invalid ids do not', () => {
  assert.equal(cipVendorName(1), 'Rockwell Automation/Allen-Bradley');
  assert.equal(cipVendorName(309), 'Prosoft Technology');
  assert.equal(cipDeviceTypeName(14), 'Programmable Logic Controller');
  assert.equal(cipDeviceTypeName(12), 'Communications Adapter');
  assert.equal(bacnetVendorName(5), 'Johnson Controls, Inc.');
  assert.equal(profinetVendorName(0x2a), 'Siemens AG');
  for (const f of [cipVendorName, bacnetVendorName, profinetVendorName, cipDeviceTypeName]) {
    assert.equal(f(-1), null);
    assert.equal(f(1.5), null);
    assert.equal(f(65535 * 7), null);
  }
  // Header fields are not ids.
  assert.equal(cipVendorName(Number('_source')), null);
});
