import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  name: string;
  values: (number | null)[];
}

const PALETTE = ['#2f7ed8', '#e4572e', '#17a398', '#f3a712', '#8e44ad', '#7f8c8d', '#c0392b', '#27ae60'];

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** A uPlot time chart (lines, or bars for a histogram) that follows the container's width and the theme. */
export function TimeChart({ times, series, bars = false, height = 180, label }: { times: number[]; series: ChartSeries[]; bars?: boolean; height?: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || !times.length) return;
    const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid') } };
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height,
      legend: { show: series.length > 1 || !bars },
      scales: { x: { time: true } },
      axes: [axis, { ...axis, size: 60 }],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.name,
          stroke: PALETTE[i % PALETTE.length],
          fill: bars ? `${PALETTE[i % PALETTE.length]}99` : undefined,
          width: bars ? 0 : 1.5,
          paths: bars ? uPlot.paths.bars!({ size: [0.9, 40] }) : undefined,
          points: { show: false },
          spanGaps: false,
        })),
      ],
    };
    const plot = new uPlot(opts, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(300, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, bars, height]);
  return <div class="chart" ref={box} role="img" aria-label={label} />;
}
