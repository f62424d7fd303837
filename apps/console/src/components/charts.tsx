import { type ReactNode, useId } from 'react';
import type { StatSummaryDto } from '../api/studio';
import { percent, score } from '../lib/format';

/**
 * Charts as plain SVG: each is an image with a text alternative that states what it shows, so
 * the numbers are not only in the picture.
 */

function Chart({
  title,
  summary,
  width,
  height,
  children,
  testId,
}: {
  title: string;
  summary: string;
  width: number;
  height: number;
  children: ReactNode;
  testId?: string;
}) {
  const id = useId();
  return (
    <figure className="chart" data-testid={testId}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {children}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}

/** Score histogram: 10 bins over [0, 1] of the weighted scores of ok cases. */
export function ScoreHistogram({ bins }: { bins: number[] }) {
  const W = 340;
  const H = 180;
  const left = 34;
  const bottom = 26;
  const top = 10;
  const plotW = W - left - 8;
  const plotH = H - bottom - top;
  const max = Math.max(1, ...bins);
  const barW = plotW / bins.length;
  const summary = bins
    .map((n, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}: ${n}`)
    .join('; ');
  return (
    <Chart
      title="Score histogram"
      summary={`Cases per score bin. ${summary}.`}
      width={W}
      height={H}
    >
      <line x1={left} y1={top + plotH} x2={W - 8} y2={top + plotH} className="axis" />
      <line x1={left} y1={top} x2={left} y2={top + plotH} className="axis" />
      <text x={left - 6} y={top + 4} className="tick" textAnchor="end">
        {max}
      </text>
      <text x={left - 6} y={top + plotH} className="tick" textAnchor="end">
        0
      </text>
      {bins.map((n, i) => {
        const h = (n / max) * plotH;
        return (
          <g key={i}>
            <rect
              x={left + i * barW + 2}
              y={top + plotH - h}
              width={barW - 4}
              height={h}
              className={i >= 5 ? 'bar-good' : 'bar-bad'}
            />
            {n > 0 ? (
              <text
                x={left + i * barW + barW / 2}
                y={top + plotH - h - 3}
                className="tick"
                textAnchor="middle"
              >
                {n}
              </text>
            ) : null}
          </g>
        );
      })}
      {[0, 0.5, 1].map((t) => (
        <text key={t} x={left + t * plotW} y={H - 8} className="tick" textAnchor="middle">
          {t.toFixed(1)}
        </text>
      ))}
    </Chart>
  );
}

/** Per-metric means with their 95% interval, on [0, 1]. */
export function MetricBars({ metrics }: { metrics: Record<string, StatSummaryDto> }) {
  const entries = Object.entries(metrics);
  const W = 340;
  const row = 30;
  const labelW = 120;
  const H = Math.max(40, entries.length * row + 24);
  const plotW = W - labelW - 50;
  const summary = entries
    .map(
      ([name, s]) =>
        `${name}: mean ${score(s.mean)}${s.ci95 ? ` (95% CI ${score(s.ci95[0])}–${score(s.ci95[1])})` : ''}`,
    )
    .join('; ');
  return (
    <Chart
      title="Per-metric means"
      summary={summary || 'No metric scored a case.'}
      width={W}
      height={H}
    >
      {entries.map(([name, s], i) => {
        const y = 8 + i * row;
        const mean = Math.max(0, Math.min(1, s.mean ?? 0));
        return (
          <g key={name}>
            <text x={labelW - 6} y={y + 15} className="tick" textAnchor="end">
              {name.length > 18 ? `${name.slice(0, 17)}…` : name}
            </text>
            <rect x={labelW} y={y + 4} width={plotW} height={16} className="bar-track" />
            <rect x={labelW} y={y + 4} width={mean * plotW} height={16} className="bar-metric" />
            {s.ci95 ? (
              <line
                x1={labelW + Math.max(0, s.ci95[0]) * plotW}
                x2={labelW + Math.min(1, s.ci95[1]) * plotW}
                y1={y + 12}
                y2={y + 12}
                className="whisker"
              />
            ) : null}
            <text x={labelW + plotW + 6} y={y + 16} className="tick">
              {score(s.mean, 2)}
            </text>
          </g>
        );
      })}
      <text x={labelW} y={H - 4} className="tick">
        0
      </text>
      <text x={labelW + plotW} y={H - 4} className="tick" textAnchor="end">
        1
      </text>
    </Chart>
  );
}

/** Pass rate as a ring, passed and failed counts beside it. */
export function PassRate({
  rate,
  passed,
  failed,
}: {
  rate: number | null;
  passed: number;
  failed: number;
}) {
  const r = 52;
  const c = 2 * Math.PI * r;
  const share = rate ?? 0;
  return (
    <Chart
      title="Pass rate"
      summary={`${percent(rate)} passed: ${passed} passed, ${failed} failed.`}
      width={220}
      height={140}
    >
      <circle cx={70} cy={70} r={r} className="ring-track" />
      <circle
        cx={70}
        cy={70}
        r={r}
        className="ring-fill"
        strokeDasharray={`${share * c} ${c}`}
        transform="rotate(-90 70 70)"
      />
      <text x={70} y={76} textAnchor="middle" className="ring-label">
        {percent(rate, 0)}
      </text>
      <text x={140} y={60} className="tick">
        {passed} passed
      </text>
      <text x={140} y={84} className="tick">
        {failed} failed
      </text>
    </Chart>
  );
}

export interface ScorePoint {
  /** Budget spent when the point was recorded (model calls). */
  x: number;
  current: number | null;
  best: number | null;
}

/** Best and current score against the budget spent, as the optimization goes. */
export function ScoreOverBudget({
  points,
  budget,
  xLabel,
}: {
  points: ScorePoint[];
  budget: number | null;
  xLabel: string;
}) {
  const W = 520;
  const H = 220;
  const left = 40;
  const right = 12;
  const top = 12;
  const bottom = 34;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const xMax = Math.max(1, budget ?? 0, ...points.map((p) => p.x));
  const sx = (x: number) => left + (x / xMax) * plotW;
  const sy = (y: number) => top + (1 - Math.max(0, Math.min(1, y))) * plotH;
  const best = points.filter((p) => p.best !== null);
  let path = '';
  best.forEach((p, i) => {
    const x = sx(p.x);
    const y = sy(p.best!);
    path += i === 0 ? `M${x},${y}` : `H${x}V${y}`;
  });
  const last = points.at(-1);
  const summary = last
    ? `${points.length} points; latest at ${last.x} ${xLabel}: current ${score(last.current)}, best ${score(last.best)}.`
    : 'No iteration yet.';
  return (
    <Chart
      title="Score against budget spent"
      summary={summary}
      width={W}
      height={H}
      testId="score-chart"
    >
      <line x1={left} y1={top + plotH} x2={W - right} y2={top + plotH} className="axis" />
      <line x1={left} y1={top} x2={left} y2={top + plotH} className="axis" />
      {[0, 0.5, 1].map((t) => (
        <g key={t}>
          <line x1={left} x2={W - right} y1={sy(t)} y2={sy(t)} className="gridline" />
          <text x={left - 6} y={sy(t) + 4} className="tick" textAnchor="end">
            {t.toFixed(1)}
          </text>
        </g>
      ))}
      <text x={left} y={H - 16} className="tick">
        0
      </text>
      <text x={W - right} y={H - 16} className="tick" textAnchor="end">
        {xMax}
      </text>
      <text x={left + plotW / 2} y={H - 4} className="tick" textAnchor="middle">
        {xLabel}
      </text>
      {path ? <path d={path} className="line-best" /> : null}
      {points.map((p, i) =>
        p.current === null ? null : (
          <circle
            key={i}
            cx={sx(p.x)}
            cy={sy(p.current)}
            r={3.5}
            className="dot-current"
            data-testid="iteration-point"
          />
        ),
      )}
    </Chart>
  );
}
