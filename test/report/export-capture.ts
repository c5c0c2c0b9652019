/**
 * A small office for export tests, built with the packet builders: four hosts that name themselves
 * over DHCP (one name is a spreadsheet command, one a script tag), and conversations among them, so
 * that a selection of devices has edges inside it and edges to devices left out.
 */
import { dhcpRequestFrame } from '../helpers/dhcp-frames';
import { udpFrame } from '../helpers/packets';
import { writePcap, type Rec } from '../helpers/pcap-writer';

export const CMD_NAME = "=cmd|' /C calc'!A0";
export const SCRIPT_NAME = '<script>alert("x")</script>';

export const OFFICE = {
  cmd: { mac: '02:00:00:00:07:01', ip: '10.7.0.11', name: CMD_NAME },
  script: { mac: '02:00:00:00:07:02', ip: '10.7.0.12', name: SCRIPT_NAME },
  pc: { mac: '02:00:00:00:07:03', ip: '10.7.0.13', name: 'office-pc-13' },
  printer: { mac: '02:00:00:00:07:04', ip: '10.7.0.14', name: 'printer-14' },
};

export function writeOfficeCapture(path: string): string {
  const recs: Rec[] = [];
  for (const h of Object.values(OFFICE)) {
    recs.push({ data: dhcpRequestFrame(h, h.name, 0x4242) });
  }
  const talk = (a: { mac: string; ip: string }, b: { mac: string; ip: string }) =>
    recs.push({ data: udpFrame({ ...a, port: 40000 }, { ...b, port: 9100 }, new Uint8Array(16)) });
  talk(OFFICE.cmd, OFFICE.pc);
  talk(OFFICE.pc, OFFICE.printer);
  talk(OFFICE.script, OFFICE.printer);
  talk(OFFICE.cmd, OFFICE.printer);
  return writePcap(path, 1, recs);
}
