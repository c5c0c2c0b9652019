/**
 * The tests' one decode harness: crafted frames or a whole capture through the real decoder (every
 * layer, the dissectors asked for), with what the tests read back: observations, dissector errors,
 * and which protocol claimed which frame.
 */
import { readFileSync } from 'node:fs';
import { CaptureParser } from '../../shared/capture/parser';
import { Decoder } from '../../shared/decode/decoder';
import { LAYERS } from '../../shared/decode/layers/index';
import { LINKTYPE_ETHERNET } from '../../shared/decode/linktypes';
import { TCP_SYN, type Packet } from '../../shared/decode/packet';
import type { Observation } from '../../shared/model/observation';
import type { AppProtocol } from '../../shared/protocols/contract';
import { tcpSignature } from '../../shared/protocols/it/index';

/** What the SYN observers say about one decoded packet (nothing for segments without SYN). */
export function synObservations(p: Packet): Observation[] {
  const out: Observation[] = [];
  tcpSignature(p, { emit: (o) => out.push(o) });
  return out;
}

export interface FramesRun {
  obs: Observation[];
  /** Exceptions the dissectors threw (the decoder catches and counts them). */
  errors: number;
  decoder: Decoder;
  /** Protocol names the last frame was claimed by. */
  protos: string[];
}

/** Ethernet frames in order through one decoder (per-flow state carries over), 1 ms apart. */
export function decodeFrames(frames: readonly Uint8Array[], protocols: readonly AppProtocol[]): FramesRun {
  const decoder = new Decoder(LAYERS, protocols);
  const obs: Observation[] = [];
  decoder.onObservation = (o) => obs.push(o);
  let protos: string[] = [];
  frames.forEach((f, i) => {
    const p = decoder.decode(f, LINKTYPE_ETHERNET, 1_700_000_000_000 + i, i + 1, f.length);
    protos = p.protos.slice(0, p.protoCount);
  });
  return { obs, errors: decoder.stats.dissectorErrors, decoder, protos };
}

export interface CaptureRun {
  obs: Observation[];
  frames: number;
  dissectorErrors: number;
  /** Frame numbers where each app protocol name was recognised. */
  protoFrames: Map<string, Set<number>>;
  /** The protocol names that claimed each frame (frames none claimed are absent). */
  claimed: Map<number, string[]>;
  /** Frames the pipeline skipped as verbatim repeats of a datagram already dissected (no observations). */
  repeatFrames: Set<number>;
}

/**
 * A capture file through the real decoder with `protocols`; `synSignatures` adds the TCP SYN
 * signature observation of every SYN, as the engine does.
 */
export function decodeCapture(
  path: string,
  protocols: readonly AppProtocol[],
  o: { synSignatures?: boolean } = {},
): CaptureRun {
  const dec = new Decoder(LAYERS, protocols);
  const obs: Observation[] = [];
  dec.onObservation = (x) => obs.push(x);
  const protoFrames = new Map<string, Set<number>>();
  const claimed = new Map<number, string[]>();
  const repeatFrames = new Set<number>();
  const stats = dec.stats as { repeats?: number };
  let frame = 0;
  const parser = new CaptureParser((data, linkType, ts, wireLen, iface) => {
    frame++;
    const before = stats.repeats ?? 0;
    const p = dec.decode(data, linkType, ts, frame, wireLen, iface);
    if ((stats.repeats ?? 0) > before) repeatFrames.add(frame);
    if (o.synSignatures && (p.tcpFlags & TCP_SYN) !== 0) {
      obs.push(...synObservations(p));
    }
    if (p.protoCount > 0) claimed.set(frame, p.protos.slice(0, p.protoCount));
    for (let i = 0; i < p.protoCount; i++) {
      const n = p.protos[i]!;
      let s = protoFrames.get(n);
      if (s === undefined) protoFrames.set(n, (s = new Set()));
      s.add(frame);
    }
  });
  parser.push(readFileSync(path));
  parser.end();
  return {
    obs,
    frames: frame,
    dissectorErrors: dec.stats.dissectorErrors,
    protoFrames,
    claimed,
    repeatFrames,
  };
}
