/** What the analysis threads say to each other (threaded.ts starts workers, analyze-worker.ts is one). */
import type { PartialInventory } from '../../../shared/inventory/partial';
import type { InventoryLimits } from '../../../shared/inventory/limits';

export interface WorkerSetup {
  ring: SharedArrayBuffer;
  index: number;
  protocols?: readonly string[];
  limits?: Partial<InventoryLimits>;
  /**
   * Tests only: make this worker fail at a frame number ('throw': inside one frame, 'die': outright;
   * 'exit': the worker thread ends, sending nothing more, at its first frame from that number on).
   */
  fault?: { kind: 'throw' | 'die' | 'exit'; frame: number };
  /** Tests only: how often a worker sends a delta (every 4096 frames at most); 1000 ms by default. */
  deltaEveryMs?: number;
}

/** Flags of a ring record (frame-ring.ts carries them): control records carry no frame. */
export const FLAG_BEGIN_SOURCE = 1;
/** The run is over: send its partial and start the next one from nothing. */
export const FLAG_END_RUN = 2;
/** Age out idle flows at this record's time (Analyzer.housekeeping), every 65536 frames of the run. */
export const FLAG_HOUSEKEEPING = 4;
/** The reader decided this frame's SYN signature: observed within the window already (REPEAT) or not. */
export const FLAG_SYN_FRESH = 8;
export const FLAG_SYN_REPEAT = 16;
/**
 * The MAC in the record's first 6 bytes routes from its frame on, and owns by ARP the IPv4 addresses
 * that follow (4 bytes each): the reader's RouterWatch decided, from every frame.
 */
export const FLAG_ROUTER = 32;
/** That router answered ARP for the IPv4 address after its MAC, in this frame. */
export const FLAG_ROUTER_OWNS = 64;

/** `run` counts the runs a worker did (0, 1, ...): a pool analyses one run after another. */
export type WorkerMessage =
  /** What changed since the last delta (partialOf `since`): merged, deltas lose nothing if the worker dies. */
  | { kind: 'delta'; run: number; partial: PartialInventory }
  /** Everything the worker knows of the run. */
  | { kind: 'final'; run: number; partial: PartialInventory }
  | { kind: 'failed'; run: number; message: string; partial?: PartialInventory };
