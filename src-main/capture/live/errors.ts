/**
 * Every way live capture can fail, as a typed code and a message that says how to fix it. These
 * travel from the capture helper to the app inside the framing (as JSON), so they are plain data:
 * no Error objects, no stack traces.
 */
import { realpathSync } from 'node:fs';
import { resolveCaptureHelper } from './helper-path';

export type LiveErrorCode =
  /**
   * No right to open a capture socket (CAP_NET_RAW missing), or no right to run the capture helper
   * (not a member of the glasspane group).
   */
  | 'permission-denied'
  /** A libpcap pseudo-device (nflog, nfqueue, dbus-*, bluetooth*, usbmon*): not a network capture. */
  | 'pseudo-device'
  /** The same interface was named twice. */
  | 'duplicate-interface'
  /** A named interface does not exist (in this network namespace). */
  | 'no-such-interface'
  /** libpcap or the cap binding could not be loaded. */
  | 'capture-unavailable'
  /** The BPF filter did not compile; the message carries pcap's own words. */
  | 'bad-filter'
  /** pcap refused to open the interface for another reason (down, not supported, ...). */
  | 'open-failed'
  /** An interface failed or disappeared while capturing (unplugged, deleted, driver reset). */
  | 'interface-lost'
  /** The helper was given a configuration it cannot use. */
  | 'bad-config'
  /** The helper could not be started, died, or sent something we could not read. */
  | 'helper-failed';

export interface LiveError {
  code: LiveErrorCode;
  /** What happened and what to do about it, for people. */
  message: string;
  /** The action alone (a command line where there is one), for a copy button. */
  fix: string;
  /** The interface concerned, when there is one. */
  iface?: string;
  /** Raw text from pcap, the loader or the helper's stderr, for logs. Never shown as the message. */
  detail?: string;
}

/** The binary that needs capture rights: the one running the helper (node, or electron). */
export function helperBinary(execPath = process.execPath): string {
  try {
    return realpathSync(execPath);
  } catch {
    return execPath;
  }
}

/**
 * The file capture rights belong on for the helper the app will run: the native glasspane-capture
 * when there is one (see ./helper-path.ts), else the binary that runs the Node helper.
 */
export function captureRightsBinary(): string {
  const h = resolveCaptureHelper();
  return h.native === true ? helperBinary(h.command) : helperBinary();
}

/**
 * Without an argument, names the file the app's own helper needs the rights on. CAP_NET_RAW alone:
 * libpcap sets promiscuous mode with PACKET_ADD_MEMBERSHIP, which needs nothing more on Linux.
 */
export function setcapLine(binary = captureRightsBinary()): string {
  return `sudo setcap cap_net_raw=eip ${binary}`;
}

/** The system group whose members may run the installed capture helper (assets/linux/after-install.sh). */
export const CAPTURE_GROUP = 'glasspane';

/** Joining the capture group; it takes effect at the next login. */
export const JOIN_GROUP_LINE = `sudo usermod -aG ${CAPTURE_GROUP} $USER`;

/**
 * What the deb/rpm install does, for a native helper in a checkout: the group, the helper runnable by
 * it only, then the capability (last: chgrp clears file capabilities), then joining the group.
 */
export function checkoutRightsLine(binary = captureRightsBinary()): string {
  return (
    `sudo groupadd -f --system ${CAPTURE_GROUP} && sudo chgrp ${CAPTURE_GROUP} ${binary} && ` +
    `sudo chmod 0750 ${binary} && ${setcapLine(binary)} && ${JOIN_GROUP_LINE}`
  );
}

/** The native helper is there but this user may not run it: not (yet) in the capture group. */
export function notInCaptureGroup(binary: string, detail = ''): LiveError {
  return {
    code: 'permission-denied',
    detail,
    fix: JOIN_GROUP_LINE,
    message:
      `You may not run the capture helper (${binary}): only members of the ${CAPTURE_GROUP} group may ` +
      `capture. Join it with: ${JOIN_GROUP_LINE}, then log out and in again (group membership is read ` +
      `at login). Do not run Glasspane as root.`,
  };
}

/** The helper refused an interface: a pseudo-device, or one named twice. */
export function interfaceRefused(
  code: 'pseudo-device' | 'duplicate-interface',
  iface: string,
  detail: string,
): LiveError {
  if (code === 'duplicate-interface') {
    return {
      code,
      iface,
      detail,
      fix: 'Name each interface once.',
      message: `The interface '${iface}' is named more than once; name each interface once.`,
    };
  }
  return {
    code,
    iface,
    detail,
    fix: 'Pick a network interface (ip link show).',
    message:
      `'${iface}' is not a network interface but one of libpcap's pseudo-devices (netfilter, D-Bus, ` +
      `Bluetooth or USB capture); Glasspane captures network traffic only. Pick a network interface.` +
      (/root only/.test(detail) ? ' (--allow-pseudo-device is honoured for root only.)' : ''),
  };
}

/**
 * `dedicated`: the binary is the native helper, which runs nothing else; node or Electron would pass
 * the rights on to every program run with them.
 */
export function permissionDenied(
  iface: string,
  detail: string,
  binary = helperBinary(),
  dedicated = false,
): LiveError {
  const fix = setcapLine(binary);
  const note = dedicated
    ? `(it is a small dedicated program that only captures; to let only the ${CAPTURE_GROUP} group ` +
      `run it, first: sudo chgrp ${CAPTURE_GROUP} ${binary} && sudo chmod 0750 ${binary})`
    : '(note: every program run by that binary gains them)';
  return {
    code: 'permission-denied',
    iface,
    detail,
    fix,
    message:
      `No permission to capture on ${iface}. Give the capture helper capture rights once with: ${fix} ` +
      `${note}. Do not run Glasspane as root: only the capture helper needs these rights.`,
  };
}

export function noSuchInterface(iface: string, available: readonly string[], detail = ''): LiveError {
  const list = available.length > 0 ? available.join(', ') : 'none found';
  return {
    code: 'no-such-interface',
    iface,
    detail,
    fix: 'Pick one of the listed interfaces.',
    message: `There is no interface named '${iface}'. Interfaces that exist: ${list}.`,
  };
}

export function captureUnavailable(detail: string, native = false): LiveError {
  if (native) {
    const fix = 'sudo apt-get install libpcap0.8';
    return {
      code: 'capture-unavailable',
      detail,
      fix,
      message:
        `Live capture is unavailable: the capture helper could not use libpcap. ${detail} ` +
        `Install libpcap: ${fix} (on Fedora: libpcap). Opening capture files keeps working without it.`,
    };
  }
  const fix = 'sudo apt-get install libpcap0.8 libpcap-dev && npm rebuild cap';
  return {
    code: 'capture-unavailable',
    detail,
    fix,
    message:
      `Live capture is unavailable: libpcap or its Node binding (cap) could not be loaded. ${detail} ` +
      `Install libpcap and rebuild the binding: ${fix} (on Fedora: libpcap libpcap-devel). ` +
      `Opening capture files keeps working without it.`,
  };
}

export function badFilter(filter: string, pcapMessage: string, iface?: string): LiveError {
  return {
    code: 'bad-filter',
    iface,
    detail: pcapMessage,
    fix: 'Correct the filter (pcap-filter(7) syntax, e.g. "tcp port 502 or arp").',
    message: `The capture filter '${filter}' does not compile: ${pcapMessage}.`,
  };
}

export function openFailed(iface: string, pcapMessage: string): LiveError {
  return {
    code: 'open-failed',
    iface,
    detail: pcapMessage,
    fix: `Check that ${iface} is up and supports capture (ip link show ${iface}).`,
    message: `Could not start capturing on ${iface}: ${pcapMessage}.`,
  };
}

export function interfaceLost(interfaces: readonly string[], detail: string): LiveError {
  const names = interfaces.join(', ');
  return {
    code: 'interface-lost',
    iface: interfaces.length === 1 ? interfaces[0] : undefined,
    detail,
    fix: `Check the interface (ip link show), then start the capture again.`,
    message:
      `Capture stopped: ${interfaces.length === 1 ? 'the interface' : 'one of the interfaces'} (${names}) ` +
      `failed or went away. What was captured so far is kept; start the capture again when it is back.`,
  };
}

export function badConfig(what: string): LiveError {
  return {
    code: 'bad-config',
    detail: what,
    fix: 'This is a bug in the caller; report it.',
    message: `The capture helper was given an unusable configuration: ${what}.`,
  };
}

export function helperFailed(what: string, detail = ''): LiveError {
  return {
    code: 'helper-failed',
    detail,
    fix: 'Try again; if it keeps failing, report it with the log.',
    message: `The capture helper failed: ${what}.`,
  };
}

const PERMISSION = /operation not permitted|permission denied|don't have permission|not permitted/i;
const NO_DEVICE = /no such device/i;
const FILTER = /syntax error|can't parse filter|unknown (host|network|port|protocol)|illegal|filter/i;

/**
 * Classify the text cap throws from open(). pcap does not give us its numeric status through cap,
 * so its messages are matched; anything unrecognised is an open failure that quotes pcap.
 */
export function classifyOpenError(
  iface: string,
  filter: string,
  pcapMessage: string,
  available: readonly string[],
  filterStage: boolean,
): LiveError {
  const msg = pcapMessage.trim().slice(0, 500) || 'unknown pcap error';
  if (PERMISSION.test(msg)) return permissionDenied(iface, msg);
  if (NO_DEVICE.test(msg)) return noSuchInterface(iface, available, msg);
  if (filterStage || (filter !== '' && FILTER.test(msg))) return badFilter(filter, msg, iface);
  return openFailed(iface, msg);
}

const CODES: ReadonlySet<string> = new Set<LiveErrorCode>([
  'permission-denied',
  'pseudo-device',
  'duplicate-interface',
  'no-such-interface',
  'capture-unavailable',
  'bad-filter',
  'open-failed',
  'interface-lost',
  'bad-config',
  'helper-failed',
]);
const MAX_DETAIL = 500;
const MAX_LISTED = 256;

/**
 * The native helper (glasspane-capture.c) reports what failed as a code, the interface and
 * libpcap's own words; the messages people read are written here, as for the Node helper. `raw` is
 * the helper's ERROR record (untrusted JSON); `binary` is the helper's file (for the setcap line).
 */
export function nativeHelperError(
  raw: unknown,
  ctx: { filter: string; interfaces: readonly string[]; binary: string },
): LiveError {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
  const code = str(r.code, 64);
  const detail = str(r.detail, MAX_DETAIL).trim() || 'no reason given';
  const iface = str(r.iface, 256) || undefined;
  const available = Array.isArray(r.available)
    ? r.available.slice(0, MAX_LISTED).filter((x): x is string => typeof x === 'string')
    : [];
  if (!CODES.has(code)) return helperFailed(`it reported an unknown failure (${code || 'no code'})`, detail);
  switch (code as LiveErrorCode) {
    case 'permission-denied':
      return permissionDenied(iface ?? ctx.interfaces.join(', '), detail, helperBinary(ctx.binary), true);
    case 'no-such-interface':
      return noSuchInterface(iface ?? '', available, detail);
    case 'pseudo-device':
    case 'duplicate-interface':
      return interfaceRefused(
        code as 'pseudo-device' | 'duplicate-interface',
        iface ?? ctx.interfaces.join(', '),
        detail,
      );
    case 'capture-unavailable':
      return captureUnavailable(detail, true);
    case 'bad-filter':
      return badFilter(ctx.filter, detail, iface);
    case 'open-failed':
      return openFailed(iface ?? ctx.interfaces.join(', '), detail);
    case 'interface-lost':
      return interfaceLost(iface !== undefined ? [iface] : ctx.interfaces, detail);
    case 'bad-config':
      return badConfig(detail);
    case 'helper-failed':
      return helperFailed(detail, detail);
  }
}

/** A live error as one line: its message, then the fix unless the message already carries it. */
export function liveErrorText(e: LiveError): string {
  const text = e.message.includes(e.fix) ? e.message : `${e.message} ${e.fix}`;
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
