/** An alert raised after the learning period (new device, firmware change, second DHCP server, ...). */
export interface AlertJson {
  id: string;
  at: string;
  severity: 'info' | 'low' | 'medium' | 'high' | 'critical';
  kind: string;
  deviceId: string | null;
  message: string;
  detail: Record<string, string | number | boolean | null>;
}
