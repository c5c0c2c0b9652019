/** A tiny packet-rate line drawn as SVG from counter readings. */
import type { CounterSample } from '../store/capture-slice';

export function rates(samples: readonly CounterSample[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dt = (b.t - a.t) / 1000;
    if (dt > 0) out.push(Math.max(0, (b.packets - a.packets) / dt));
  }
  return out;
}

export function Sparkline({
  values,
  width = 120,
  height = 24,
}: {
  values: readonly number[];
  width?: number;
  height?: number;
}) {
  const v = values.slice(-60);
  if (v.length < 2) {
    return <svg className="sparkline" width={width} height={height} aria-hidden />;
  }
  const max = Math.max(1, ...v);
  const pts = v.map(
    (x, i) =>
      `${((i / (v.length - 1)) * width).toFixed(1)},${(height - 2 - (x / max) * (height - 4)).toFixed(1)}`,
  );
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      role="img"
      aria-label={`packet rate, peak ${Math.round(max)} per second`}
    >
      <polyline points={pts.join(' ')} fill="none" strokeWidth="1.5" />
    </svg>
  );
}
