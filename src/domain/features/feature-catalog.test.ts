import { describe, expect, it } from 'vitest';
import { FEATURE_CATALOG, featureDefinition } from './feature-catalog.ts';

describe('the feature catalogue', () => {
  it('names every feature once, in snake_case, with a label and a doc', () => {
    const names = FEATURE_CATALOG.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of FEATURE_CATALOG) {
      expect(f.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(f.label.length).toBeGreaterThan(0);
      expect(f.doc.length).toBeGreaterThan(0);
    }
  });

  it('includes the issue 3 features and the CLV outputs', () => {
    for (const name of [
      'recency_days',
      'frequency_days',
      'spend_prev_90d',
      'redemption_ratio',
      'referrals_prev_90d',
      'events_attended_90d',
      'engagement_trend',
      'latest_nps',
      'm_score',
      'clv_percentile',
      'p_alive',
    ]) {
      expect(featureDefinition(name), name).toBeDefined();
    }
  });

  it('knows declared features by key, with their freshness', () => {
    expect(featureDefinition('declared.quiz.coffee_style')).toMatchObject({
      type: 'string[]',
      source: 'declared',
    });
    expect(featureDefinition('declared_at.interest')).toMatchObject({
      type: 'date',
      label: 'interest last confirmed',
    });
    expect(featureDefinition('declared.Bad Key')).toBeUndefined();
    expect(featureDefinition('no_such_feature')).toBeUndefined();
  });
});
