import { describe, expect, it } from 'vitest';
import { CampaignStatus } from '../../contracts/campaigns.ts';
import { canMove, isFinished, isFrozen } from './lifecycle.ts';

describe('campaign lifecycle', () => {
  it('goes draft -> approved -> scheduled -> running -> completed', () => {
    expect(canMove('draft', 'approved')).toBe(true);
    expect(canMove('approved', 'scheduled')).toBe(true);
    expect(canMove('scheduled', 'running')).toBe(true);
    expect(canMove('running', 'completed')).toBe(true);
  });

  it('never skips approval and never leaves a finished state', () => {
    for (const to of CampaignStatus.options) {
      if (to !== 'approved' && to !== 'cancelled') expect(canMove('draft', to)).toBe(false);
      expect(canMove('completed', to)).toBe(false);
      expect(canMove('cancelled', to)).toBe(false);
    }
  });

  it('cancels anything not finished', () => {
    for (const from of CampaignStatus.options) expect(canMove(from, 'cancelled')).toBe(!isFinished(from));
  });

  it('freezes content from approval on', () => {
    expect(CampaignStatus.options.filter(isFrozen)).toEqual([
      'approved',
      'scheduled',
      'running',
      'completed',
      'cancelled',
    ]);
  });
});
