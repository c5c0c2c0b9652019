/** The helper's configuration, given as JSON on argv or as the first line of stdin. */
export interface CaptureConfig {
  /** Interface names, in order: a frame's iface index is its position here. */
  interfaces: string[];
  /** BPF filter (pcap-filter(7)); '' captures everything. */
  filter?: string;
  /** Bytes kept per frame, 1..65535 (cap itself always captures up to 65535). Default 65535. */
  snaplen?: number;
  /**
   * libpcap's kernel buffer per interface, bytes, at most 64 MiB, and at most 256 MiB for all the
   * interfaces together. Default 32 MiB (less with more than 8 interfaces, to stay within the total).
   * cap asks for snaplen 65535 and immediate mode, which on Linux means a TPACKET_V2 ring of ~64 KiB
   * slots: 32 MiB holds only ~500 frames of burst before the kernel drops.
   */
  bufferSize?: number;
  /** How often STATS records are sent, ms. Default 1000. */
  statsIntervalMs?: number;
  /**
   * Most bytes the helper holds for a slow reader before dropping frames. Default 128 MiB: the
   * analysis runs slowly for its first second or so (the JIT is still compiling it), and on a link at
   * 200k packets/s that first second needs more than 32 MiB (bench:live lost 1-3 % with 32).
   */
  maxQueueBytes?: number;
  /** List interfaces (as a STATUS 'interfaces' record) and exit instead of capturing. */
  list?: boolean;
  /** Capture from a libpcap pseudo-device (see pseudoDevice); honoured for root only. */
  allowPseudoDevice?: boolean;
}

export type ResolvedConfig = Required<CaptureConfig>;

export const MAX_INTERFACES = 64;
export const MAX_SNAPLEN = 65535;
export const BUFFER_MAX = 64 * 1024 * 1024;
export const BUFFER_TOTAL_MAX = 256 * 1024 * 1024;
const BUFFER_DEFAULT = 32 * 1024 * 1024;
/** The helper's queue for a slow reader (glasspane-capture.c's QUEUE_DEFAULT). */
export const QUEUE_DEFAULT = 128 * 1024 * 1024;

/**
 * libpcap's capture modules that are not network interfaces: netfilter's log and queue, D-Bus,
 * Bluetooth, USB (usbmon). 'any' (every interface, cooked) is a network capture and allowed, as are
 * SocketCAN interfaces (can*, vcan*: real network devices on an OT field bus). The native helper
 * (glasspane-capture.c, pseudo_device) refuses the same names.
 */
export function pseudoDevice(name: string): boolean {
  return /^(nflog|nfqueue|dbus|bluetooth|usbmon)/.test(name);
}

/**
 * Why these interfaces cannot be captured together, or null: a name given twice, or a pseudo-device
 * without allowPseudoDevice from root (a member of the capture group gets network traffic only).
 */
export function interfaceProblem(
  cfg: Pick<ResolvedConfig, 'interfaces' | 'allowPseudoDevice'>,
  root: boolean,
): { code: 'duplicate-interface' | 'pseudo-device'; iface: string; detail: string } | null {
  const seen = new Set<string>();
  for (const iface of cfg.interfaces) {
    if (seen.has(iface))
      return { code: 'duplicate-interface', iface, detail: 'the same interface is named twice' };
    seen.add(iface);
    if (pseudoDevice(iface) && !(cfg.allowPseudoDevice && root)) {
      const detail = cfg.allowPseudoDevice
        ? '--allow-pseudo-device is honoured for root only'
        : 'not a network interface';
      return { code: 'pseudo-device', iface, detail };
    }
  }
  return null;
}

function int(v: unknown, dflt: number, min: number, max: number, what: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${what} must be an integer from ${min} to ${max}`);
  }
  return v;
}

/** Validates untrusted JSON into a full config; throws an Error with a one-line reason. */
export function resolveConfig(raw: unknown): ResolvedConfig {
  if (typeof raw !== 'object' || raw === null) throw new Error('config must be a JSON object');
  const c = raw as Record<string, unknown>;
  const list = c.list === true;
  const ifs = c.interfaces ?? [];
  if (!Array.isArray(ifs) || ifs.length > MAX_INTERFACES) {
    throw new Error(`interfaces must be a list of at most ${MAX_INTERFACES} names`);
  }
  for (const i of ifs) {
    if (typeof i !== 'string' || i.length === 0 || i.length > 256)
      throw new Error('interface names must be strings');
  }
  if (!list && ifs.length === 0) throw new Error('no interface given');
  const filter = c.filter ?? '';
  if (typeof filter !== 'string' || filter.length > 8192) throw new Error('filter must be a string');
  // The default shrinks with many interfaces; a size asked for is refused past the total.
  const share = ifs.length > 0 ? Math.floor(BUFFER_TOTAL_MAX / ifs.length) : BUFFER_DEFAULT;
  const bufferSize = int(c.bufferSize, Math.min(BUFFER_DEFAULT, share), 64 * 1024, BUFFER_MAX, 'bufferSize');
  if (bufferSize > share) {
    throw new Error(
      `bufferSize times the number of interfaces must be at most ${BUFFER_TOTAL_MAX} (256 MiB in all)`,
    );
  }
  return {
    interfaces: [...(ifs as string[])],
    filter,
    snaplen: int(c.snaplen, MAX_SNAPLEN, 1, MAX_SNAPLEN, 'snaplen'),
    bufferSize,
    statsIntervalMs: int(c.statsIntervalMs, 1000, 50, 3_600_000, 'statsIntervalMs'),
    maxQueueBytes: int(c.maxQueueBytes, QUEUE_DEFAULT, 1 << 20, 1 << 30, 'maxQueueBytes'),
    list,
    allowPseudoDevice: c.allowPseudoDevice === true,
  };
}
