/** The helper's configuration, given as JSON on argv or as the first line of stdin. */
export interface CaptureConfig {
  /** Interface names, in order: a frame's iface index is its position here. */
  interfaces: string[];
  /** BPF filter (pcap-filter(7)); '' captures everything. */
  filter?: string;
  /** Bytes kept per frame, 1..65535 (cap itself always captures up to 65535). Default 65535. */
  snaplen?: number;
  /**
   * libpcap's kernel buffer per interface, bytes. Default 32 MiB. cap asks for snaplen 65535 and
   * immediate mode, which on Linux means a TPACKET_V2 ring of ~64 KiB slots: 32 MiB holds only
   * ~500 frames of burst before the kernel drops.
   */
  bufferSize?: number;
  /** How often STATS records are sent, ms. Default 1000. */
  statsIntervalMs?: number;
  /** Most bytes the helper holds for a slow reader before dropping frames. Default 32 MiB. */
  maxQueueBytes?: number;
  /** List interfaces (as a STATUS 'interfaces' record) and exit instead of capturing. */
  list?: boolean;
}

export type ResolvedConfig = Required<CaptureConfig>;

export const MAX_INTERFACES = 64;
export const MAX_SNAPLEN = 65535;

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
  return {
    interfaces: [...(ifs as string[])],
    filter,
    snaplen: int(c.snaplen, MAX_SNAPLEN, 1, MAX_SNAPLEN, 'snaplen'),
    bufferSize: int(c.bufferSize, 32 * 1024 * 1024, 64 * 1024, 1 << 30, 'bufferSize'),
    statsIntervalMs: int(c.statsIntervalMs, 1000, 50, 3_600_000, 'statsIntervalMs'),
    maxQueueBytes: int(c.maxQueueBytes, 32 * 1024 * 1024, 1 << 20, 1 << 30, 'maxQueueBytes'),
    list,
  };
}
