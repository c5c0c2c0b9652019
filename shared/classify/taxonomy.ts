/**
 * What a device can be: four categories, a fixed list of types (each in one category), and the
 * Purdue level an OT type usually sits at. Rules may only yield types from this list (checked at load).
 */
export const CATEGORIES = ['IT', 'IoT', 'OT', 'network'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Type -> category. Order is the order the UI lists them in. */
export const TYPE_CATEGORY = {
  workstation: 'IT',
  laptop: 'IT',
  server: 'IT',
  mobile: 'IT',
  tablet: 'IT',
  printer: 'IT',
  nas: 'IT',
  hypervisor: 'IT',
  'virtual-machine': 'IT',
  'voip-phone': 'IT',
  'ip-camera': 'IoT',
  nvr: 'IoT',
  'smart-tv': 'IoT',
  'media-player': 'IoT',
  'smart-speaker': 'IoT',
  'game-console': 'IoT',
  'smart-plug': 'IoT',
  'smart-light': 'IoT',
  'smart-hub': 'IoT',
  thermostat: 'IoT',
  sensor: 'IoT',
  'iot-gateway': 'IoT',
  'iot-device': 'IoT',
  plc: 'OT',
  hmi: 'OT',
  rtu: 'OT',
  'engineering-workstation': 'OT',
  'scada-server': 'OT',
  historian: 'OT',
  ied: 'OT',
  'io-module': 'OT',
  drive: 'OT',
  'building-controller': 'OT',
  'protocol-gateway': 'OT',
  'ot-device': 'OT',
  router: 'network',
  switch: 'network',
  'access-point': 'network',
  firewall: 'network',
} as const satisfies Record<string, Category>;

export type DeviceType = keyof typeof TYPE_CATEGORY;
export const TYPES = Object.keys(TYPE_CATEGORY) as DeviceType[];

export function isType(s: string): s is DeviceType {
  return Object.prototype.hasOwnProperty.call(TYPE_CATEGORY, s);
}

export function isCategory(s: string): s is Category {
  return (CATEGORIES as readonly string[]).includes(s);
}

export function categoryOf(t: string): Category | null {
  return isType(t) ? TYPE_CATEGORY[t] : null;
}

/**
 * Generic types a specific one refines: evidence for "workstation" supports "engineering-workstation"
 * rather than contradicting it (specific over generic).
 */
export const TYPE_PARENT: Partial<Record<DeviceType, DeviceType>> = {
  laptop: 'workstation',
  'engineering-workstation': 'workstation',
  hmi: 'workstation',
  'scada-server': 'server',
  historian: 'server',
  nas: 'server',
  hypervisor: 'server',
  tablet: 'mobile',
  nvr: 'ip-camera',
  'smart-plug': 'iot-device',
  'smart-light': 'iot-device',
  'smart-hub': 'iot-device',
  'smart-speaker': 'iot-device',
  sensor: 'iot-device',
  thermostat: 'iot-device',
  'ip-camera': 'iot-device',
  'iot-gateway': 'iot-device',
  'media-player': 'iot-device',
  'smart-tv': 'iot-device',
  plc: 'ot-device',
  rtu: 'ot-device',
  ied: 'ot-device',
  'io-module': 'ot-device',
  drive: 'ot-device',
  'building-controller': 'ot-device',
  'protocol-gateway': 'ot-device',
  firewall: 'router',
};

/** True when `general` is `specific` or one of its ancestors. */
export function typeGeneralizes(general: string, specific: string): boolean {
  let t: string | undefined = specific;
  for (let i = 0; i < 8 && t !== undefined; i++) {
    if (t === general) return true;
    t = TYPE_PARENT[t as DeviceType];
  }
  return false;
}

/**
 * Purdue reference model level per OT type (ISA-95 / IEC 62443 usage): 0 process, 1 basic control,
 * 2 supervisory control, 3 site operations. Network types and IT types have none.
 */
export const PURDUE_LEVEL: Partial<Record<DeviceType, { level: number; reason: string }>> = {
  sensor: { level: 0, reason: 'field device (sensor/actuator)' },
  drive: { level: 0, reason: 'drive or actuator at the process' },
  'io-module': { level: 1, reason: 'remote I/O serving a controller' },
  plc: { level: 1, reason: 'controller (basic control)' },
  rtu: { level: 1, reason: 'remote terminal unit (basic control)' },
  ied: { level: 1, reason: 'intelligent electronic device (protection and control)' },
  'building-controller': { level: 1, reason: 'building automation controller' },
  'protocol-gateway': { level: 1, reason: 'gateway between control protocols' },
  hmi: { level: 2, reason: 'operator interface (supervisory control)' },
  'engineering-workstation': { level: 2, reason: 'programs controllers (supervisory zone)' },
  'scada-server': { level: 2, reason: 'SCADA master polling controllers' },
  historian: { level: 3, reason: 'process historian (site operations)' },
};

/** Roles that place an OT device when its type is unknown. */
export const ROLE_PURDUE: Record<string, { level: number; reason: string }> = {
  'modbus-server': { level: 1, reason: 'answers Modbus/TCP as a server (controller or I/O)' },
  's7-server': { level: 1, reason: 'answers S7comm on ISO-TSAP (PLC)' },
  'enip-server': { level: 1, reason: 'EtherNet/IP target' },
  'cip-adapter': { level: 1, reason: 'CIP I/O adapter' },
  'cip-io-producer': { level: 1, reason: 'produces CIP I/O (adapter or controller)' },
  'dnp3-outstation': { level: 1, reason: 'DNP3 outstation' },
  'iec104-controlled-station': { level: 1, reason: 'IEC 60870-5-104 controlled station' },
  'goose-publisher': { level: 1, reason: 'publishes IEC 61850 GOOSE (IED)' },
  'synchrophasor-pmu': { level: 1, reason: 'phasor measurement unit' },
  'bacnet-device': { level: 1, reason: 'BACnet device' },
  'profinet-io-device': { level: 1, reason: 'PROFINET IO device' },
  'modbus-client': { level: 2, reason: 'polls Modbus/TCP servers (HMI/SCADA)' },
  's7-client': { level: 2, reason: 'S7comm client (HMI or engineering station)' },
  's7-programmer': { level: 2, reason: 'programs S7 PLCs' },
  'dnp3-master': { level: 2, reason: 'DNP3 master (SCADA)' },
  'iec104-controlling-station': { level: 2, reason: 'IEC 60870-5-104 controlling station (SCADA)' },
  'cip-scanner': { level: 2, reason: 'CIP scanner / originator' },
  'synchrophasor-pdc': { level: 2, reason: 'phasor data concentrator' },
  'profinet-io-controller': { level: 1, reason: 'PROFINET IO controller (PLC)' },
};
