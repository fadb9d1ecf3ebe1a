import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CDNOW_CALIBRATION_END, parseCdnowSample } from './cdnow-fixture.ts';
import { fitAll } from './fit-all.ts';
import { summarizeTransactions } from './summaries.ts';

describe('fitAll', () => {
  it('fits all three models to the CDNOW sample', () => {
    const summaries = summarizeTransactions(
      parseCdnowSample(
        readFileSync(new URL('../../../test/fixtures/cdnow/CDNOW_sample.txt', import.meta.url), 'utf8'),
      ),
      { calibrationEnd: CDNOW_CALIBRATION_END, timeUnit: 'week' },
    );
    const result = fitAll(summaries, { standardErrors: false });
    expect(result.skipped).toEqual([]);
    expect(result.bgnbd?.logLikelihood).toBeCloseTo(-9582.4, 1);
    expect(result.paretoNbd?.logLikelihood).toBeCloseTo(-9595.0, 1);
    expect(result.gammaGamma?.params.p).toBeCloseTo(6.25, 2);
    expect(result.bgnbd?.standardErrors).toBeUndefined();
  });

  it('fits only the models asked for and skips the spend model when nobody has repeated', () => {
    const summaries = [
      { memberId: 'a', x: 0, tx: 0, T: 10, zbar: 0 },
      { memberId: 'b', x: 0, tx: 0, T: 20, zbar: 0 },
    ];
    const result = fitAll(summaries, { models: ['gamma-gamma'] });
    expect(result.bgnbd).toBeUndefined();
    expect(result.gammaGamma).toBeUndefined();
    expect(result.skipped).toEqual([
      { model: 'gamma-gamma', reason: 'no customer has a repeat purchase with positive spend' },
    ]);
  });

  it('skips every model for an empty program', () => {
    expect(fitAll([]).skipped.map((s) => s.model)).toEqual(['bgnbd', 'pareto-nbd', 'gamma-gamma']);
  });
});
