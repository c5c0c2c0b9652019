/** What the decode pipeline counts; the inventory's stats carry the same counters (InventoryStats). */
export interface DecodeStats {
  packets: number;
  bytes: number;
  /** Frames whose headers contradicted themselves or ended early (not counting snaplen cuts). */
  malformed: number;
  /** Frames cut short by the capture's snap length. */
  snapTruncated: number;
  /** Later IP fragments: counted, not decoded. */
  laterFragments: number;
  /** Frames of a link type Glasspane does not decode. */
  unknownLinkType: number;
  /** The same by link type number; present only once such a frame was seen. */
  unknownLinkTypes?: Record<string, number>;
  /** App dissector failures caught by the pipeline (a bug, not the packet's fault, but never fatal). */
  dissectorErrors: number;
  /** Datagram announcements skipped as verbatim repeats of one already dissected. */
  repeats: number;
  /** TCP segments whose payload was all seen before (retransmissions, keep-alives): not dissected again. */
  retransmissions: number;
  /**
   * Frames whose time was outside 1970..9999 (a 64-bit pcapng timestamp in the year 586524, an absurd
   * if_tsresol or if_tsoffset, a live record's NaN): given the last good time of their interface.
   */
  badTimestamps: number;
  /** Malformed frames by the layer that noticed, for the curious. */
  malformedBy: Record<string, number>;
}

/**
 * Counts by name, in name order: the order they were first counted in is the capture's, which the
 * sum of several workers' counts (partial-stats.ts) cannot know, and the printed stats must not differ.
 */
export function byName(r: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k]!;
  return out;
}

export function emptyStats(): DecodeStats {
  return {
    packets: 0,
    bytes: 0,
    malformed: 0,
    snapTruncated: 0,
    laterFragments: 0,
    unknownLinkType: 0,
    dissectorErrors: 0,
    repeats: 0,
    retransmissions: 0,
    badTimestamps: 0,
    malformedBy: {},
  };
}

/**
 * What learning once per flow saved (AppContext.finished). Kept beside DecodeStats, not in the
 * printed stats: the merged stats of a threaded run (shared/inventory/partial-stats.ts) do not carry
 * them, and `analyze --threads N` must print the same inventory whatever N is.
 */
export interface LearnOnceStats {
  /** Flows whose dissector said it had nothing left to learn from them. */
  flowsFinished: number;
  /** Payloads of finished flows not handed to their dissector (counted as its protocol all the same). */
  payloadsSkipped: number;
}
