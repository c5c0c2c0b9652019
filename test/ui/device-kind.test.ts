/**
 * Device icons come from a table over the taxonomy, not keyword regexes: IoT types are not PLCs,
 * gateways are not firewalls, and every taxonomy type has an icon with a colour.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TYPES, TYPE_CATEGORY, type DeviceType } from '../../shared/classify/taxonomy';
import {
  deviceKind,
  KIND_COLOR,
  kindIcon,
  TYPE_ICON,
  type IconKind,
} from '../../src-renderer/util/device-kind';

// The compiler's half of the check: the table covers DeviceType exactly (tsc -p test).
const _complete: Record<DeviceType, IconKind> = TYPE_ICON;
void _complete;

const dev = (o: { type?: string | null; category?: string | null; router?: boolean; roles?: string[] }) => ({
  type: o.type ?? null,
  category: o.category ?? null,
  router: o.router ?? false,
  roles: o.roles ?? [],
});

const typed = (t: DeviceType) => deviceKind(dev({ type: t, category: TYPE_CATEGORY[t] }));

test('IoT and IT types that once drew PLC or firewall icons draw their own', () => {
  assert.equal(typed('iot-device'), 'iot');
  assert.equal(typed('game-console'), 'iot');
  assert.equal(typed('iot-gateway'), 'iot');
  assert.equal(typed('virtual-machine'), 'server');
  assert.equal(typed('protocol-gateway'), 'plc');
  for (const t of ['iot-device', 'game-console', 'virtual-machine', 'smart-tv'] as const) {
    assert.notEqual(typed(t), 'plc', t);
  }
  for (const t of ['iot-gateway', 'protocol-gateway'] as const) assert.notEqual(typed(t), 'firewall', t);
});

test('types map to the kind that says what they are', () => {
  assert.equal(typed('plc'), 'plc');
  assert.equal(typed('rtu'), 'plc');
  assert.equal(typed('hmi'), 'hmi');
  assert.equal(typed('engineering-workstation'), 'hmi');
  assert.equal(typed('firewall'), 'firewall');
  assert.equal(typed('router'), 'router');
  assert.equal(typed('access-point'), 'wireless');
  assert.equal(typed('ip-camera'), 'camera');
  assert.equal(typed('voip-phone'), 'phone');
  assert.equal(typed('laptop'), 'workstation');
});

test('every taxonomy type has an icon kind with a colour and a glyph', () => {
  assert.ok(TYPES.length > 30, 'the taxonomy list is there');
  const kinds = new Set(Object.keys(KIND_COLOR));
  for (const t of TYPES) {
    const k = TYPE_ICON[t];
    assert.ok(kinds.has(k), `${t} -> ${String(k)}`);
    assert.notEqual(k, 'unknown', t);
    assert.equal(typed(t), k, t);
    assert.match(kindIcon(k), /^data:image\/svg\+xml;utf8,%3Csvg/);
  }
  // No entries beyond the taxonomy.
  assert.deepEqual(Object.keys(TYPE_ICON).sort(), [...TYPES].sort());
});

test('without a type: category, then router, then serving roles', () => {
  assert.equal(deviceKind(dev({ category: 'IoT' })), 'iot');
  assert.equal(deviceKind(dev({ category: 'OT' })), 'plc');
  assert.equal(deviceKind(dev({ category: 'IT' })), 'unknown');
  assert.equal(deviceKind(dev({ category: 'network', router: true })), 'router');
  // A type from a person's edit that is not in the taxonomy falls through to the category.
  assert.equal(deviceKind(dev({ type: 'coffee machine', category: 'IoT' })), 'iot');
  assert.equal(deviceKind(dev({ roles: ['modbus-server'] })), 'plc');
  assert.equal(deviceKind(dev({ roles: ['domain-controller'] })), 'server');
  assert.equal(deviceKind(dev({ roles: ['cip-scanner'] })), 'hmi');
  assert.equal(deviceKind(dev({ roles: ['stp-root-bridge'] })), 'switch');
  assert.equal(deviceKind(dev({ roles: ['ntp-server'] })), 'server');
  assert.equal(deviceKind(dev({ roles: ['dhcpv6-relay'] })), 'unknown');
  assert.equal(deviceKind(dev({ roles: ['modbus-client', 'ssdp-client'] })), 'unknown');
  // Role names come off the wire: prototype names are plain strings.
  assert.equal(deviceKind(dev({ roles: ['constructor', '__proto__', 'toString'] })), 'unknown');
});
