import type { Packet } from '../packet';

/** Before a tunnel's inner frame is decoded: see Packet.resetLayers. */
export function resetForInnerFrame(p: Packet): void {
  p.resetLayers();
}
