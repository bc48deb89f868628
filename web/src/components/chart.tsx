import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { compactNumber, instantText, zoneLabel, type TimeZoneMode } from '../format.ts';
import { useTimeZone } from '../hooks.ts';

export interface ChartSeries {
  name: string;
  values: (number | null)[];
}

/**
 * Series colours: 16 distinct hues (Tableau 10 and 6 more), each readable on the light and the dark
 * theme. A chart with more series than this repeats them; the search page draws at most 12.
 */
export const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
  '#9c755f', '#bab0ac', '#1f77b4', '#d62728', '#9467bd', '#17becf', '#bcbd22', '#8c564b',
] as const;

/** The y axis is as wide as its widest label plus this margin (px). */
const Y_AXIS_MARGIN = 14;
const AXIS_FONT = '12px system-ui, sans-serif';
/** A drag narrower than this (px) is a click, not a zoom. */
const MIN_ZOOM_PX = 4;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** Tick labels of the time axis in the chosen zone: seconds when ticks are seconds apart, the date when they are days apart. */
function timeTicks(mode: TimeZoneMode, splits: number[], incr: number): string[] {
  return splits.map((s) => {
    const t = instantText(s * 1000, mode);
    return incr >= 86_400 ? t.slice(0, 10) : incr >= 3600 * 6 ? t.slice(5, 16) : incr >= 60 ? t.slice(11, 16) : t.slice(11, 19);
  });
}

let measurer: CanvasRenderingContext2D | null = null;
function textWidth(text: string): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return text.length * 7;
  measurer.font = AXIS_FONT;
  return measurer.measureText(text).width;
}

/**
 * A uPlot time chart (lines, or bars for a histogram) that follows the container's width, the theme
 * and the time zone. Y labels are compact (8.2M) and the axis is sized to them; the labels are also
 * kept in `data-y-ticks` and in the accessible name, since a canvas says nothing to a screen reader.
 */
export function TimeChart({ times, series, bars = false, height = 180, label, onZoom }: { times: number[]; series: ChartSeries[]; bars?: boolean; height?: number; label: string; onZoom?: ((fromMs: number, toMs: number) => void) | undefined }) {
  const box = useRef<HTMLDivElement>(null);
  const zone = useTimeZone();
  // The latest handler without redrawing the chart when the page re-renders.
  const zoom = useRef(onZoom);
  zoom.current = onZoom;
  const zoomable = !!onZoom;
  useEffect(() => {
    const el = box.current;
    if (!el || !times.length) return;
    const axis = { stroke: cssVar('--muted'), font: AXIS_FONT, grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid') } };
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height,
      // Always a legend: hovering shows the time under the pointer, in the chosen zone.
      legend: { show: true },
      scales: { x: { time: true } },
      // A drag across the chart selects a time span: with onZoom it becomes the page's time range
      // (the chart is redrawn for it); without, uPlot zooms the chart alone.
      cursor: { drag: { x: true, y: false, setScale: !zoomable } },
      axes: [
        { ...axis, label: `time (${zoneLabel(zone)})`, labelFont: AXIS_FONT, labelSize: 20, values: (_u, splits, _ax, _space, incr) => timeTicks(zone, splits, incr) },
        {
          ...axis,
          values: (_u, splits) => splits.map(compactNumber),
          size: (_u, values) => Math.ceil(Math.max(24, ...(values ?? []).map(textWidth)) + Y_AXIS_MARGIN),
        },
      ],
      series: [
        { label: 'time', value: (_u, v) => (v === null || v === undefined ? '—' : instantText(v * 1000, zone)) },
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
      hooks: {
        setSelect: [(u) => {
          const handler = zoom.current;
          if (!handler || u.select.width < MIN_ZOOM_PX) return;
          const from = u.posToVal(u.select.left, 'x');
          const to = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          handler(from * 1000, to * 1000);
        }],
        draw: [(u) => {
          const ticks = (u.axes[1] as { _values?: string[] })._values ?? [];
          el.dataset.yTicks = JSON.stringify(ticks);
          el.setAttribute('aria-label', `${label}; times in ${zoneLabel(zone)}; y axis ${ticks[0] ?? ''} to ${ticks[ticks.length - 1] ?? ''}`);
        }],
      },
    };
    const plot = new uPlot(opts, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(300, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, bars, height, zone, label, zoomable]);
  return (
    <div class={zoomable ? 'chart zoomable' : 'chart'} ref={box} role="img" aria-label={`${label}; times in ${zoneLabel(zone)}${zoomable ? '; drag across it to zoom the time range' : ''}`} data-zoomable={zoomable ? 'true' : undefined}
      title={zoomable ? 'drag across the chart to set the time range to the span selected (Back returns)' : undefined} />
  );
}
