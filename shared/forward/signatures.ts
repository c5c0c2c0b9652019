/**
 * The fixed table of what Glasspane forwards: one signature id, name and category per event kind
 * and per alert kind. SIEMs map these to their own rule ids (ArcSight signature ids, QRadar QIDs),
 * so they never change once shipped and are never translated: add new ids, do not renumber.
 */
export interface Signature {
  /** CEF SignatureID and LEEF EventID. */
  id: string;
  /** CEF Name: English, fixed. */
  name: string;
  /** CEF `cat` and LEEF `cat`. */
  cat: string;
}

export const DEVICE_SIGNATURES = {
  discovered: { id: '100', name: 'Device discovered', cat: 'glasspane/device/discovered' },
  changed: { id: '101', name: 'Device changed', cat: 'glasspane/device/changed' },
  snapshot: { id: '102', name: 'Device inventory', cat: 'glasspane/device/inventory' },
  'not-seen': { id: '103', name: 'Device not seen', cat: 'glasspane/device/not-seen' },
} as const satisfies Record<string, Signature>;

/** Alert kinds from shared/alerts/engine.ts; unknown kinds get ALERT_OTHER rather than a guess. */
export const ALERT_SIGNATURES: Record<string, Signature> = {
  'new-device': { id: '200', name: 'New device after learning', cat: 'glasspane/alert/new-device' },
  'firmware-change': { id: '201', name: 'Firmware changed', cat: 'glasspane/alert/firmware-change' },
  'type-change': { id: '202', name: 'Device type changed', cat: 'glasspane/alert/type-change' },
  'ot-event': { id: '203', name: 'OT programming or configuration event', cat: 'glasspane/alert/ot-event' },
  'ip-conflict': { id: '204', name: 'IP address claimed by two devices', cat: 'glasspane/alert/ip-conflict' },
  'dhcp-server': { id: '205', name: 'DHCP server appeared', cat: 'glasspane/alert/dhcp-server' },
};

export const ALERT_OTHER: Signature = { id: '299', name: 'Alert', cat: 'glasspane/alert/other' };

export function alertSignature(kind: string): Signature {
  return Object.prototype.hasOwnProperty.call(ALERT_SIGNATURES, kind) ? ALERT_SIGNATURES[kind]! : ALERT_OTHER;
}
