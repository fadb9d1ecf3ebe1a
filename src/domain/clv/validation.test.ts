import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitBgNbd } from './bgnbd.ts';
import { CDNOW_CALIBRATION_END, CDNOW_HOLDOUT_END, parseCdnowSample } from './cdnow-fixture.ts';
import { renderValidationSvg } from './render-validation-svg.ts';
import { holdoutLength, summarizeTransactions } from './summaries.ts';
import { cumulativeRepeatTracking, holdoutByFrequency } from './validation.ts';

const transactions = parseCdnowSample(
  readFileSync(new URL('../../../test/fixtures/cdnow/CDNOW_sample.txt', import.meta.url), 'utf8'),
);
const options = {
  calibrationEnd: CDNOW_CALIBRATION_END,
  holdoutEnd: CDNOW_HOLDOUT_END,
  timeUnit: 'week' as const,
};
const summaries = summarizeTransactions(transactions, options);
const fit = fitBgNbd(summaries);
const model = { model: 'bgnbd' as const, params: fit.params };

describe('holdoutByFrequency on the CDNOW sample', () => {
  const bins = holdoutByFrequency(summaries, model, holdoutLength(options));

  it('bins customers 0…6 and 7+ and reproduces the actual holdout means', () => {
    expect(bins.map((b) => b.bin)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    expect(bins.map((b) => b.customers)).toEqual([1411, 439, 214, 100, 62, 38, 29, 64]);
    // Means computed from the fixture. The CDNOW data README states these bins match the BTYD vignette's
    // "act" row exactly; the vignette itself was not available here to quote.
    expect(bins.map((b) => Number(b.actual.toFixed(4)))).toEqual([
      0.2367, 0.697, 1.3925, 1.56, 2.5323, 2.9474, 3.8621, 6.3594,
    ]);
  });

  it('predicts rising holdout purchases with calibration frequency', () => {
    for (let i = 1; i < bins.length; i++) {
      expect(bins[i]?.predicted).toBeGreaterThan(bins[i - 1]?.predicted ?? Number.POSITIVE_INFINITY);
    }
  });
});

describe('cumulativeRepeatTracking on the CDNOW sample', () => {
  const tracking = cumulativeRepeatTracking(transactions, model, options);

  it('covers 78 weeks with a 39-week calibration and ends at every repeat purchase', () => {
    expect(tracking.points).toHaveLength(78);
    expect(tracking.calibrationPeriods).toBe(39);
    expect(tracking.points[38]?.actual).toBe(2457);
    expect(tracking.points[77]?.actual).toBe(2457 + 1882);
  });

  it('tracks the calibration total closely, as a fitted model should', () => {
    const atCalibrationEnd = tracking.points[38];
    expect(Math.abs((atCalibrationEnd?.expected ?? 0) / 2457 - 1)).toBeLessThan(0.03);
  });

  it('produces JSON-able data', () => {
    expect(JSON.parse(JSON.stringify(tracking))).toEqual(tracking);
  });
});

describe('renderValidationSvg', () => {
  const svg = renderValidationSvg({
    title: 'CDNOW <BG/NBD> & holdout',
    frequencyBins: holdoutByFrequency(summaries, model, 39),
    tracking: cumulativeRepeatTracking(transactions, model, options),
    periodLabel: 'week',
  });

  it('draws both panels with an actual and a model line each', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    expect(svg).toContain('calibration end');
    expect(svg).not.toContain('NaN');
  });

  it('escapes text', () => {
    expect(svg).toContain('CDNOW &lt;BG/NBD&gt; &amp; holdout');
  });

  it('renders an empty chart without failing', () => {
    expect(renderValidationSvg({})).toContain('<svg');
  });
});
