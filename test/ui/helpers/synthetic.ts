/** Synthetic inventories for the UI benchmarks, pushed through the same deviceDelta path as real runs. */
import type { DeviceDelta } from '../../../shared/ipc/contract';
import { IPC_LIMITS } from '../../../shared/ipc/limits';
import type { DeviceJson, EdgeJson } from '../../../shared/model/inventory';

const VENDORS = [
  'Siemens AG',
  'Rockwell Automation',
  'Schneider Electric',
  'Cisco Systems',
  'Dell Inc.',
  'HP Inc.',
  'Axis Communications',
  'Moxa Inc.',
];
const TYPES = ['plc', 'hmi', 'workstation', 'server', 'switch', 'camera', 'printer', null];

const hex = (n: number) => n.toString(16).padStart(2, '0');

export function syntheticDevice(i: number): DeviceJson {
  const subnet = Math.floor(i / 250);
  const ip = `10.${(subnet >> 8) & 255}.${subnet & 255}.${(i % 250) + 2}`;
  const mac = `02:00:${hex((i >> 16) & 255)}:${hex((i >> 8) & 255)}:${hex(i & 255)}:01`;
  const t = TYPES[i % TYPES.length]!;
  return {
    id: `mac:${mac}`,
    mac,
    ips: [ip],
    hostname: i % 3 === 0 ? `host-${i}` : null,
    vendor: VENDORS[i % VENDORS.length]!,
    ouiVendor: VENDORS[i % VENDORS.length]!,
    category: t === null ? null : t === 'plc' || t === 'hmi' ? 'OT' : 'IT',
    type: t,
    model: i % 5 === 0 ? `Model ${i % 97}` : null,
    os: i % 4 === 0 ? 'Linux' : null,
    firmware: null,
    serial: null,
    hostnames: [],
    roles: [],
    protocols: ['arp', 'ipv4', i % 2 ? 'tcp' : 'udp'],
    services: [],
    vlans: [],
    localMac: true,
    router: false,
    routed: false,
    via: [],
    firstSeen: '2026-01-01T00:00:00.000Z',
    lastSeen: '2026-01-01T00:10:00.000Z',
    packets: (i * 7919) % 100_000,
    bytes: ((i * 7919) % 100_000) * 120,
    packetsSent: 0,
    packetsReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
  };
}

/** Each device talks to its subnet's first device and, now and then, to a device two subnets away. */
export function syntheticEdges(devices: readonly DeviceJson[]): EdgeJson[] {
  const out: EdgeJson[] = [];
  for (let i = 0; i < devices.length; i++) {
    const hub = i - (i % 250);
    const pairs = [hub !== i ? hub : -1, i % 17 === 0 ? (i + 500) % devices.length : -1];
    for (const j of pairs) {
      if (j < 0 || j === i) continue;
      const bytes = ((i * 31) % 5000) * 100;
      out.push({
        a: devices[i]!.id,
        b: devices[j]!.id,
        protocols: ['tcp'],
        packets: bytes / 100,
        bytes,
        packetsAtoB: 0,
        packetsBtoA: 0,
        bytesAtoB: 0,
        bytesBtoA: 0,
        firstSeen: '2026-01-01T00:00:00.000Z',
        lastSeen: '2026-01-01T00:10:00.000Z',
      });
    }
  }
  return out;
}

/** Deltas at the contract's batch limit, numbered to follow a snapshot at `after`. */
export function deltasFor(
  devices: readonly DeviceJson[],
  edges: readonly EdgeJson[],
  after = 0,
): DeviceDelta[] {
  const L = IPC_LIMITS.batch;
  const parts = Math.max(Math.ceil(devices.length / L), Math.ceil(edges.length / L));
  const out: DeviceDelta[] = [];
  for (let i = 0; i < parts; i++) {
    out.push({
      sequence: after + 1 + i,
      reset: false,
      upserts: devices.slice(i * L, (i + 1) * L),
      removals: [],
      edgeUpserts: edges.slice(i * L, (i + 1) * L),
      edgeRemovals: [],
    });
  }
  return out;
}
