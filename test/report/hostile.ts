/**
 * A capture whose devices describe themselves with hostile strings: DHCP host names that are a
 * spreadsheet formula and a script tag, and a Modbus device identification whose vendor, product
 * and revision are markup and formulas. Built with the test packet builders.
 */
import { dhcpRequestFrame } from '../helpers/dhcp-frames';
import { deviceIdReply, deviceIdRequest } from '../../src-main/demo/frames/modbus';
import { tcpFrame, udpFrame } from '../helpers/packets';
import { writePcap, type Rec } from '../helpers/pcap-writer';

export const FORMULA_NAME = '=HYPERLINK("http://x")';
export const SCRIPT_NAME = '<script>alert(1)</script>';
export const MODBUS_IDENTITY = ['<img src=x onerror=alert(2)>', '@SUM(1+1)', '+49 cmd|calc'] as const;

export const HOSTILE = {
  formula: { mac: '02:00:00:00:00:01', ip: '10.9.0.11' },
  script: { mac: '02:00:00:00:00:02', ip: '10.9.0.12' },
  plc: { mac: '02:00:00:00:00:03', ip: '10.9.0.20' },
  hmi: { mac: '02:00:00:00:00:04', ip: '10.9.0.10' },
};

export function writeHostileCapture(path: string): string {
  const recs: Rec[] = [];
  for (const [h, name] of [
    [HOSTILE.formula, FORMULA_NAME],
    [HOSTILE.script, SCRIPT_NAME],
  ] as const) {
    recs.push({ data: dhcpRequestFrame(h, name, 0x1234) });
    // Traffic from its leased address, so the device has its IP too.
    recs.push({
      data: udpFrame({ ...h, port: 5000 }, { ...HOSTILE.hmi, port: 5001 }, new Uint8Array(8)),
    });
  }
  const hmi = { ...HOSTILE.hmi, port: 40000 };
  const plc = { ...HOSTILE.plc, port: 502 };
  recs.push({ data: tcpFrame(hmi, plc, deviceIdRequest(1, 1), { seq: 1, ack: 1 }) });
  recs.push({ data: tcpFrame(plc, hmi, deviceIdReply(1, 1, [...MODBUS_IDENTITY]), { seq: 1, ack: 13 }) });
  return writePcap(path, 1, recs);
}
