/**
 * A bar chart drawn by chart.js on a canvas. The chart is created once; new data and theme colours
 * are applied to it in place, and it is destroyed on unmount. Labels come from the network: chart.js
 * draws them as canvas text, and this wrapper builds no HTML from them (no HTML tooltips or legends).
 */
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';
import { useThemeColors, type ThemeColors } from './theme-colors';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const MAX_LABEL = 28;
const clipLabel = (s: string): string => (s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL - 1)}…` : s);

function applyColors(chart: Chart<'bar'>, c: ThemeColors): void {
  const ds = chart.data.datasets[0];
  if (ds) {
    ds.backgroundColor = c.accent;
    ds.hoverBackgroundColor = c.accentSoft;
  }
  for (const axis of ['x', 'y'] as const) {
    const scale = chart.options.scales?.[axis];
    if (!scale) continue;
    if (scale.ticks) scale.ticks.color = c.muted;
    if (scale.grid) scale.grid.color = c.border;
    if (scale.border) scale.border.color = c.border;
  }
  const tip = chart.options.plugins?.tooltip;
  if (tip) {
    tip.backgroundColor = c.panel;
    tip.titleColor = c.text;
    tip.bodyColor = c.text;
    tip.borderColor = c.border;
  }
}

export function BarChart({
  labels,
  values,
  horizontal = false,
  label,
  testId,
  onPick,
}: {
  labels: readonly string[];
  values: readonly number[];
  horizontal?: boolean;
  /** What the chart shows, for people using a screen reader (canvas has no text of its own). */
  label: string;
  testId?: string;
  /** A bar was clicked: its index. */
  onPick?(index: number): void;
}) {
  const boxRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart<'bar'> | null>(null);
  const pickRef = useRef(onPick);
  pickRef.current = onPick;
  const colors = useThemeColors();

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const chart = new Chart<'bar'>(canvas, {
      type: 'bar',
      data: { labels: [], datasets: [{ data: [], borderRadius: 2, maxBarThickness: 28 }] },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { enabled: true, borderWidth: 1 } },
        scales: {
          x: {
            ticks: horizontal ? { precision: 0 } : { maxRotation: 0, autoSkip: true },
            grid: {},
            border: {},
            beginAtZero: true,
          },
          y: {
            ticks: horizontal
              ? {
                  autoSkip: false,
                  callback(v) {
                    return clipLabel(String(this.getLabelForValue(Number(v))));
                  },
                }
              : { precision: 0 },
            grid: {},
            border: {},
            beginAtZero: true,
          },
        },
        onClick: (_e, elements) => {
          const hit = elements[0];
          if (hit) pickRef.current?.(hit.index);
        },
        onHover: (_e, elements) => {
          canvas.style.cursor = elements.length > 0 && pickRef.current ? 'pointer' : 'default';
        },
      },
    });
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
  }, [horizontal]);

  useEffect(() => {
    const chart = chartRef.current;
    const box = boxRef.current;
    if (!chart || !box) return;
    chart.data.labels = [...labels];
    chart.data.datasets[0]!.data = [...values];
    applyColors(chart, colors);
    // The default mode, not 'none': chart.js keeps shared element options (colours) under 'none'.
    chart.update();
    // What the chart instance holds, for tests and for anyone inspecting the page.
    const data = chart.data.datasets[0]!.data as number[];
    box.dataset.points = String(data.length);
    box.dataset.sum = String(data.reduce((a, b) => a + b, 0));
  }, [labels, values, colors, horizontal]);

  return (
    <div className="chart-box" ref={boxRef} data-testid={testId}>
      <canvas ref={canvasRef} role="img" aria-label={label} />
    </div>
  );
}
