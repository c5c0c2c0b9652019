/**
 * The answer to listSources: libpcap's device list through the live-capture module when the cap
 * binding loads, else the OS's list; and whether live capture can work here, with the fix when not.
 */
import type { CaptureInterface, LiveAvailability, Sources } from '../../shared/ipc/contract';
import { IPC_LIMITS as L } from '../../shared/ipc/limits';
import { CAPTURE_GROUP, JOIN_GROUP_LINE, checkoutRightsLine, setcapLine } from '../capture/live/errors';
import { mayRun, resolveCaptureHelper } from '../capture/live/helper-path';
import { listInterfaces, type InterfaceInfo } from '../capture/live/interfaces';
import { canCaptureRaw, listOsInterfaces } from './os-sources';

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

export function toCaptureInterface(i: InterfaceInfo): CaptureInterface {
  return {
    name: clip(i.name, L.id),
    description: i.description === null ? null : clip(i.description, L.text),
    // sysfs reports loopback and some virtual links with an all-zero address: no MAC to show.
    mac: i.mac === null || /^(00:){5}00$/.test(i.mac) ? null : i.mac,
    addresses: i.addresses
      .slice(0, L.addresses)
      .map((a) => ({ family: a.family, address: a.addr, netmask: a.netmask })),
    flags: { up: i.up, loopback: i.loopback, running: i.running },
  };
}

function permissionAvailability(): LiveAvailability {
  const helper = resolveCaptureHelper();
  if (canCaptureRaw(helper) !== false) return { available: true };
  if (helper.native === true && !mayRun(helper.command)) {
    return {
      available: false,
      reason: `Only members of the ${CAPTURE_GROUP} group may capture packets, and you are not one yet.`,
      fix: `Join the group once with: ${JOIN_GROUP_LINE}, then log out and in again. Do not run Glasspane as root.`,
    };
  }
  return {
    available: false,
    reason: 'Glasspane has no right to capture packets here (the CAP_NET_RAW capability is missing).',
    fix:
      helper.native === true
        ? `The Linux packages grant it to the capture helper when installed, for the ${CAPTURE_GROUP} ` +
          `group. From a source checkout, run once: ${checkoutRightsLine(helper.command)}, then log out ` +
          'and in again. Do not run Glasspane as root.'
        : 'The Linux packages grant it to the capture helper when installed. From a source checkout, run ' +
          `once: ${setcapLine()} (every program run by that binary gains it). Do not run Glasspane as root.`,
  };
}

export function listSources(): Sources {
  const pcap = listInterfaces();
  if (!pcap.ok) {
    return {
      interfaces: listOsInterfaces(),
      live: { available: false, reason: clip(pcap.error.message, L.text), fix: clip(pcap.error.fix, L.text) },
      listedBy: 'os',
    };
  }
  return {
    interfaces: pcap.interfaces.slice(0, L.sources).map(toCaptureInterface),
    live: permissionAvailability(),
    listedBy: 'pcap',
  };
}
