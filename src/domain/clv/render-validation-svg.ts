import type { CumulativeTracking, FrequencyBin } from './validation.ts';

/** What the validation chart shows; either panel may be left out. */
export interface ValidationChartData {
  title?: string;
  frequencyBins?: readonly FrequencyBin[];
  tracking?: CumulativeTracking;
  /** Label of a time period on the tracking axis, e.g. "week" (default "period"). */
  periodLabel?: string;
}

const PANEL_WIDTH = 440;
const PANEL_HEIGHT = 300;
const MARGIN = { top: 40, right: 20, bottom: 50, left: 60 };
const ACTUAL_COLOUR = '#1f4e79';
const MODEL_COLOUR = '#d9822b';
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

/**
 * A self-contained SVG of the two model checks side by side: mean holdout purchases per calibration
 * frequency bin, and cumulative repeat purchases over time with the calibration end marked.
 * Hand-written rather than a charting library: two fixed charts need no layout engine, and the
 * string can be embedded in the dashboard, a report or a file.
 */
export function renderValidationSvg(data: ValidationChartData): string {
  const panels: string[] = [];
  if (data.frequencyBins !== undefined) panels.push(binsPanel(data.frequencyBins));
  if (data.tracking !== undefined) panels.push(trackingPanel(data.tracking, data.periodLabel ?? 'period'));
  const width = Math.max(1, panels.length) * PANEL_WIDTH;
  const titleHeight = data.title === undefined ? 0 : 30;
  const body = panels.map((p, i) => `<g transform="translate(${i * PANEL_WIDTH},${titleHeight})">${p}</g>`);
  const title =
    data.title === undefined
      ? ''
      : `<text x="${width / 2}" y="20" text-anchor="middle" ${FONT} font-size="15">${escapeXml(data.title)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL_HEIGHT + titleHeight}" viewBox="0 0 ${width} ${PANEL_HEIGHT + titleHeight}" role="img">`,
    '<rect width="100%" height="100%" fill="#ffffff"/>',
    title,
    ...body,
    '</svg>',
  ].join('\n');
}

interface Frame {
  x: (v: number) => number;
  y: (v: number) => number;
  axes: string;
}

/** Axes with a zero-based y scale and a few labelled ticks. */
function frame(xMax: number, yMax: number, caption: string, xLabel: string, yLabel: string, xMin = 0): Frame {
  const innerW = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const innerH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const top = niceCeiling(yMax);
  const x = (v: number) => MARGIN.left + ((v - xMin) / (xMax - xMin || 1)) * innerW;
  const y = (v: number) => MARGIN.top + innerH - (v / top) * innerH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = f * top;
    return `<line x1="${MARGIN.left}" x2="${MARGIN.left + innerW}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/><text x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end" ${FONT}>${formatTick(v)}</text>`;
  });
  const axes = [
    ...ticks,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + innerH}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + innerW}" y1="${MARGIN.top + innerH}" y2="${MARGIN.top + innerH}" stroke="#333"/>`,
    `<text x="${PANEL_WIDTH / 2}" y="20" text-anchor="middle" ${FONT} font-weight="bold">${escapeXml(caption)}</text>`,
    `<text x="${MARGIN.left + innerW / 2}" y="${PANEL_HEIGHT - 12}" text-anchor="middle" ${FONT}>${escapeXml(xLabel)}</text>`,
    `<text transform="translate(16,${MARGIN.top + innerH / 2}) rotate(-90)" text-anchor="middle" ${FONT}>${escapeXml(yLabel)}</text>`,
    legend(),
  ].join('\n');
  return { x, y, axes };
}

function binsPanel(bins: readonly FrequencyBin[]): string {
  const yMax = Math.max(0, ...bins.flatMap((b) => [b.actual, b.predicted]));
  const f = frame(
    bins.length - 0.5,
    yMax,
    'Holdout purchases by calibration frequency',
    'repeat purchases in calibration',
    'mean holdout purchases',
    -0.5,
  );
  const labels = bins.map(
    (b, i) =>
      `<text x="${f.x(i)}" y="${PANEL_HEIGHT - MARGIN.bottom + 16}" text-anchor="middle" ${FONT}>${escapeXml(b.bin)}</text>`,
  );
  return [
    f.axes,
    ...labels,
    polyline(
      bins.map((b, i) => [f.x(i), f.y(b.actual)]),
      ACTUAL_COLOUR,
      false,
    ),
    polyline(
      bins.map((b, i) => [f.x(i), f.y(b.predicted)]),
      MODEL_COLOUR,
      true,
    ),
  ].join('\n');
}

function trackingPanel(tracking: CumulativeTracking, periodLabel: string): string {
  const { points } = tracking;
  const last = points[points.length - 1];
  const yMax = Math.max(0, ...points.flatMap((p) => [p.actual, p.expected]));
  const f = frame(last?.period ?? 1, yMax, 'Cumulative repeat purchases', periodLabel, 'repeat purchases');
  const calibrationX = f.x(tracking.calibrationPeriods);
  return [
    f.axes,
    `<line x1="${calibrationX}" x2="${calibrationX}" y1="${MARGIN.top}" y2="${PANEL_HEIGHT - MARGIN.bottom}" stroke="#888" stroke-dasharray="4 3"/>`,
    `<text x="${calibrationX + 4}" y="${MARGIN.top + 12}" ${FONT} fill="#666">calibration end</text>`,
    polyline(
      points.map((p) => [f.x(p.period), f.y(p.actual)]),
      ACTUAL_COLOUR,
      false,
    ),
    polyline(
      points.map((p) => [f.x(p.period), f.y(p.expected)]),
      MODEL_COLOUR,
      true,
    ),
  ].join('\n');
}

function legend(): string {
  const x = MARGIN.left + 10;
  const y = MARGIN.top + 8;
  return [
    `<line x1="${x}" x2="${x + 20}" y1="${y}" y2="${y}" stroke="${ACTUAL_COLOUR}" stroke-width="2"/>`,
    `<text x="${x + 26}" y="${y + 4}" ${FONT}>actual</text>`,
    `<line x1="${x}" x2="${x + 20}" y1="${y + 16}" y2="${y + 16}" stroke="${MODEL_COLOUR}" stroke-width="2" stroke-dasharray="6 3"/>`,
    `<text x="${x + 26}" y="${y + 20}" ${FONT}>model</text>`,
  ].join('\n');
}

function polyline(points: readonly [number, number][], colour: string, dashed: boolean): string {
  const coords = points.map(([x, y]) => `${round(x)},${round(y)}`).join(' ');
  const dash = dashed ? ' stroke-dasharray="6 3"' : '';
  return `<polyline points="${coords}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`;
}

/** The smallest of 1, 2 or 5 × 10^k at or above v, so tick labels are round numbers. */
function niceCeiling(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 5, 10]) if (step * power >= v) return step * power;
  return 10 * power;
}

function formatTick(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 1 ? 2 : 1);
}

function round(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
