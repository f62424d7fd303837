/**
 * Charts as lists of plain shapes in a fixed coordinate space (y grows downwards, like SVG).
 * The HTML renderer serializes a scene to inline SVG, the PDF renderer paints the same shapes
 * with vector operators, so both formats show identical charts.
 */
import { int, num } from './format';

export type TextAnchor = 'start' | 'middle' | 'end';

export type Shape =
  | {
      type: 'rect';
      x: number;
      y: number;
      width: number;
      height: number;
      fill: string;
      opacity?: number;
      /** Tooltip text (an SVG <title>). */
      tip?: string;
    }
  | {
      type: 'line';
      x1: number;
      y1: number;
      x2: number;
      y2: number;
      stroke: string;
      width: number;
      dash?: [number, number];
    }
  | {
      type: 'circle';
      cx: number;
      cy: number;
      r: number;
      fill: string;
      opacity?: number;
      tip?: string;
    }
  | {
      type: 'text';
      x: number;
      y: number; // baseline
      text: string;
      size: number;
      anchor: TextAnchor;
      fill: string;
      bold?: boolean;
      /** Degrees, around (x, y). */
      rotate?: number;
    };

export interface ChartScene {
  /** Stable identifier, used for element ids. */
  id: string;
  width: number;
  height: number;
  /** Accessible name (SVG <title>) and visible caption. */
  title: string;
  /** Accessible description (SVG <desc>). */
  description: string;
  shapes: Shape[];
}

export interface Series {
  label: string;
  color: string;
}

export const COLORS = {
  a: '#3b6fb6',
  b: '#e07b24',
  single: '#3b6fb6',
  axis: '#555555',
  grid: '#e3e3e3',
  text: '#222222',
  muted: '#777777',
  diagonal: '#999999',
} as const;

const FONT = 11;

interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Round tick values covering [0, max]: 0, 2, 4, 6 … (whole numbers only when `integer`). */
export function niceTicks(max: number, target = 5, integer = false): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / target;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step =
    [1, 2, 2.5, 5, 10]
      .map((m) => m * magnitude)
      .find((s) => s >= rough && (!integer || Number.isInteger(s))) ?? Math.ceil(rough);
  const ticks: number[] = [];
  for (let t = 0; t < max + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

/** Ticks for a score-like domain, with a step of 0.2 (or coarser when the domain is wider). */
function domainTicks(lo: number, hi: number): number[] {
  const span = hi - lo;
  const step = span <= 1.0001 ? 0.2 : span <= 2.0001 ? 0.5 : niceTicks(span)[1] || 1;
  const ticks: number[] = [];
  const first = Math.ceil(lo / step - 1e-9) * step;
  for (let t = first; t <= hi + 1e-9; t += step) ticks.push(Number(t.toFixed(10)));
  return ticks;
}

function tickLabel(value: number): string {
  return Number.isInteger(value) ? String(value) : num(value, Math.abs(value) < 1 ? 1 : 2);
}

function text(
  x: number,
  y: number,
  content: string,
  anchor: TextAnchor = 'middle',
  extra: Partial<Extract<Shape, { type: 'text' }>> = {},
): Shape {
  return { type: 'text', x, y, text: content, size: FONT, anchor, fill: COLORS.text, ...extra };
}

function line(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  stroke: string,
  width = 1,
  dash?: [number, number],
): Shape {
  return dash
    ? { type: 'line', x1, y1, x2, y2, stroke, width, dash }
    : { type: 'line', x1, y1, x2, y2, stroke, width };
}

/** The bottom edge of a plot frame. */
function xAxis(frame: Frame): Shape {
  const bottom = frame.top + frame.height;
  return line(frame.left, bottom, frame.left + frame.width, bottom, COLORS.axis);
}

/** The left edge of a plot frame. */
function yAxis(frame: Frame): Shape {
  return line(frame.left, frame.top, frame.left, frame.top + frame.height, COLORS.axis);
}

/** Swatches and labels in the top right corner, when there is more than one series. */
function legend(series: Series[], right: number, y: number): Shape[] {
  if (series.length < 2) return [];
  const shapes: Shape[] = [];
  let x = right;
  for (const s of [...series].reverse()) {
    const width = s.label.length * 6.2 + 18;
    x -= width;
    shapes.push({ type: 'rect', x, y: y - 9, width: 10, height: 10, fill: s.color });
    shapes.push(text(x + 14, y, s.label, 'start', { size: 10 }));
    x -= 8;
  }
  return shapes;
}

/** Abbreviates a label to fit roughly `maxChars` characters. */
function clip(label: string, maxChars: number): string {
  const chars = Array.from(label);
  return chars.length <= maxChars ? label : `${chars.slice(0, maxChars - 1).join('')}…`;
}

/**
 * Score distribution: bar counts per bin over [0, 1] (10 bins), one bar group per bin and one bar
 * per series (a single run, or runs A and B).
 */
export function histogramChart(
  id: string,
  series: (Series & { bins: number[] })[],
  title = 'Score distribution',
): ChartScene {
  const width = 640;
  const height = 300;
  const frame: Frame = { left: 52, top: 28, width: width - 52 - 16, height: height - 28 - 52 };
  const binCount = Math.max(1, ...series.map((s) => s.bins.length));
  const maxCount = Math.max(0, ...series.flatMap((s) => s.bins));
  const ticks = niceTicks(Math.max(5, maxCount), 5, true);
  const top = ticks[ticks.length - 1];
  const y = (v: number): number => frame.top + frame.height - (v / top) * frame.height;
  const shapes: Shape[] = [];

  for (const t of ticks) {
    shapes.push(line(frame.left, y(t), frame.left + frame.width, y(t), COLORS.grid));
    shapes.push(text(frame.left - 6, y(t) + 4, tickLabel(t), 'end'));
  }
  const slot = frame.width / binCount;
  const groupWidth = slot * 0.8;
  const barWidth = groupWidth / Math.max(1, series.length);
  for (let bin = 0; bin < binCount; bin += 1) {
    const lo = bin / binCount;
    const hi = (bin + 1) / binCount;
    series.forEach((s, index) => {
      const count = s.bins[bin] ?? 0;
      const x = frame.left + bin * slot + (slot - groupWidth) / 2 + index * barWidth;
      shapes.push({
        type: 'rect',
        x,
        y: y(count),
        width: Math.max(1, barWidth - 1),
        height: frame.top + frame.height - y(count),
        fill: s.color,
        tip: `${series.length > 1 ? `${s.label}: ` : ''}${count} case${count === 1 ? '' : 's'} with score in [${num(lo, 1)}, ${num(hi, 1)}${bin === binCount - 1 ? ']' : ')'}`,
      });
    });
  }
  for (let edge = 0; edge <= binCount; edge += 1) {
    const x = frame.left + edge * slot;
    shapes.push(line(x, frame.top + frame.height, x, frame.top + frame.height + 4, COLORS.axis));
    shapes.push(text(x, frame.top + frame.height + 17, num(edge / binCount, 1)));
  }
  shapes.push(xAxis(frame), yAxis(frame));
  shapes.push(text(frame.left + frame.width / 2, height - 10, 'Score'));
  shapes.push(
    text(14, frame.top + frame.height / 2, 'Cases', 'middle', {
      rotate: -90,
    }),
  );
  shapes.push(...legend(series, width - 16, 16));

  const totals = series.map((s) => `${s.label}: ${s.bins.reduce((sum, c) => sum + c, 0)} cases`);
  return {
    id,
    width,
    height,
    title,
    description: `Histogram of case scores in ${binCount} bins from 0 to 1. ${totals.join('; ')}. Bin counts: ${series
      .map((s) => `${series.length > 1 ? `${s.label} ` : ''}${s.bins.join(', ')}`)
      .join('; ')}.`,
    shapes,
  };
}

export interface BarValue {
  mean: number | null;
  ci95: readonly [number, number] | null;
}

/**
 * Mean per metric as horizontal bars (one row per metric, one bar per series) with whiskers for the
 * 95% confidence interval where one is known.
 */
export function metricBarChart(
  id: string,
  series: Series[],
  rows: { metric: string; values: BarValue[] }[],
  title = 'Mean per metric',
): ChartScene {
  const width = 640;
  const labelWidth = 150;
  const barHeight = series.length > 1 ? 12 : 16;
  const rowHeight = barHeight * series.length + 14;
  const frame: Frame = {
    left: labelWidth + 10,
    top: 30,
    width: width - labelWidth - 10 - 60,
    height: Math.max(1, rows.length) * rowHeight,
  };
  const height = frame.top + frame.height + 44;

  const numbers = rows.flatMap((r) =>
    r.values
      .flatMap((v) => [v.mean, ...(v.ci95 ?? [])])
      .filter((n): n is number => n !== null && Number.isFinite(n)),
  );
  const lo = Math.min(0, ...numbers);
  const hi = Math.max(1, ...numbers);
  const x = (v: number): number => frame.left + ((v - lo) / (hi - lo)) * frame.width;
  const shapes: Shape[] = [];

  for (const t of domainTicks(lo, hi)) {
    shapes.push(line(x(t), frame.top, x(t), frame.top + frame.height, COLORS.grid));
    shapes.push(text(x(t), frame.top + frame.height + 16, tickLabel(t)));
  }
  rows.forEach((row, rowIndex) => {
    const rowTop = frame.top + rowIndex * rowHeight + 7;
    shapes.push(
      text(
        frame.left - 8,
        rowTop + (barHeight * series.length) / 2 + 4,
        clip(row.metric, 24),
        'end',
      ),
    );
    row.values.forEach((value, index) => {
      const s = series[index];
      const top = rowTop + index * barHeight;
      if (value.mean === null || !Number.isFinite(value.mean)) {
        shapes.push(
          text(x(0) + 4, top + barHeight - 3, 'no data', 'start', { fill: COLORS.muted, size: 10 }),
        );
        return;
      }
      const start = Math.min(x(0), x(value.mean));
      const ciText = value.ci95 ? `, 95% CI ${num(value.ci95[0])} to ${num(value.ci95[1])}` : '';
      shapes.push({
        type: 'rect',
        x: start,
        y: top,
        width: Math.max(1, Math.abs(x(value.mean) - x(0))),
        height: barHeight - 2,
        fill: s.color,
        opacity: 0.85,
        tip: `${row.metric}${series.length > 1 ? ` (${s.label})` : ''}: mean ${num(value.mean)}${ciText}`,
      });
      const mid = top + (barHeight - 2) / 2;
      if (value.ci95 && Number.isFinite(value.ci95[0]) && Number.isFinite(value.ci95[1])) {
        const [a, b] = value.ci95;
        shapes.push(line(x(a), mid, x(b), mid, COLORS.text, 1.2));
        shapes.push(line(x(a), mid - 4, x(a), mid + 4, COLORS.text, 1.2));
        shapes.push(line(x(b), mid - 4, x(b), mid + 4, COLORS.text, 1.2));
      }
      const labelX = Math.max(x(value.mean), value.ci95 ? x(value.ci95[1]) : 0) + 5;
      shapes.push(text(labelX, mid + 4, num(value.mean), 'start', { size: 10 }));
    });
  });
  shapes.push(line(x(0), frame.top, x(0), frame.top + frame.height, COLORS.axis));
  shapes.push(xAxis(frame));
  shapes.push(text(frame.left + frame.width / 2, height - 8, 'Mean score (whiskers: 95% CI)'));
  shapes.push(...legend(series, width - 16, 16));

  return {
    id,
    width,
    height,
    title,
    description: `Bar chart of the mean of each metric${series.length > 1 ? ` for ${series.map((s) => s.label).join(' and ')}` : ''}: ${rows
      .map(
        (r) =>
          `${r.metric} ${r.values.map((v, i) => `${series.length > 1 ? `${series[i].label} ` : ''}${num(v.mean)}`).join(' vs ')}`,
      )
      .join('; ')}.`,
    shapes: rows.length === 0 ? [text(width / 2, frame.top + 20, 'No metrics')] : shapes,
  };
}

export interface ScatterPoint {
  key: string;
  a: number;
  b: number;
}

/** Most points drawn in one scatter plot; larger sets are thinned evenly (and say so). */
export const SCATTER_LIMIT = 2000;

/** Per-case scores of run A (x) against run B (y), with the diagonal of equal scores. */
export function scatterChart(
  id: string,
  points: ScatterPoint[],
  labels: { a: string; b: string },
  title = 'Per-case scores',
): ChartScene {
  const size = 420;
  const width = 640;
  const frame: Frame = { left: 70, top: 20, width: size - 40, height: size - 40 };
  const height = frame.top + frame.height + 50;
  const usable = points.filter((p) => Number.isFinite(p.a) && Number.isFinite(p.b));
  const drawn =
    usable.length <= SCATTER_LIMIT
      ? usable
      : Array.from(
          { length: SCATTER_LIMIT },
          (_, i) => usable[Math.floor((i * usable.length) / SCATTER_LIMIT)],
        );
  // A loop, not Math.min(...values): a run can have more pairs than a call has arguments.
  let lo = 0;
  let hi = 1;
  for (const p of usable) {
    lo = Math.min(lo, p.a, p.b);
    hi = Math.max(hi, p.a, p.b);
  }
  const x = (v: number): number => frame.left + ((v - lo) / (hi - lo)) * frame.width;
  const y = (v: number): number => frame.top + frame.height - ((v - lo) / (hi - lo)) * frame.height;
  const shapes: Shape[] = [];

  for (const t of domainTicks(lo, hi)) {
    shapes.push(line(x(t), frame.top, x(t), frame.top + frame.height, COLORS.grid));
    shapes.push(line(frame.left, y(t), frame.left + frame.width, y(t), COLORS.grid));
    shapes.push(text(x(t), frame.top + frame.height + 16, tickLabel(t)));
    shapes.push(text(frame.left - 6, y(t) + 4, tickLabel(t), 'end'));
  }
  shapes.push(line(x(lo), y(lo), x(hi), y(hi), COLORS.diagonal, 1, [4, 4]));
  shapes.push(xAxis(frame), yAxis(frame));
  for (const p of drawn) {
    shapes.push({
      type: 'circle',
      cx: x(p.a),
      cy: y(p.b),
      r: 3.5,
      fill: p.b > p.a ? COLORS.b : p.b < p.a ? COLORS.a : COLORS.muted,
      opacity: 0.6,
      tip: `${p.key}: ${labels.a} ${num(p.a)}, ${labels.b} ${num(p.b)}`,
    });
  }
  shapes.push(text(frame.left + frame.width / 2, height - 10, `${labels.a} score`));
  shapes.push(
    text(frame.left - 44, frame.top + frame.height / 2, `${labels.b} score`, 'middle', {
      rotate: -90,
    }),
  );

  const above = usable.filter((p) => p.b > p.a).length;
  const below = usable.filter((p) => p.b < p.a).length;
  const notes = [
    `${labels.b} higher: ${above}`,
    `${labels.a} higher: ${below}`,
    `Equal: ${usable.length - above - below}`,
  ];
  if (drawn.length < usable.length)
    notes.push(`Showing ${int(drawn.length)} of ${int(usable.length)}`);
  notes.forEach((note, index) => {
    shapes.push(
      text(frame.left + frame.width + 20, frame.top + 14 + index * 18, note, 'start', { size: 10 }),
    );
  });

  return {
    id,
    width,
    height,
    title,
    description: `Scatter plot of ${usable.length} paired cases: ${labels.a} score on the horizontal axis, ${labels.b} score on the vertical axis, with a dashed diagonal of equal scores; points above it are cases where ${labels.b} scored higher. ${notes.join('. ')}.`,
    shapes: usable.length === 0 ? [text(width / 2, height / 2, 'No paired cases')] : shapes,
  };
}
