import { createHash } from 'node:crypto';

// Holdout and variant come from a hash of (campaign, member), never from a random draw, so running
// a launch again, or explaining it a month later, puts every member in the same arm. The two
// draws use different parts of the hash, so a member's variant does not depend on the holdout share.

/** A member's arm in a campaign: the control group, or a variant that is sent. */
export type Arm = { arm: 'holdout' } | { arm: 'treatment'; variant: string };

/** Two independent uniform numbers in [0, 1) from (campaign, member). */
export function stableUnits(campaignId: string, memberId: string): [number, number] {
  const digest = createHash('sha256').update(campaignId).update('\u0000').update(memberId).digest();
  // 48 bits each: exact in a double, and far more resolution than any share needs.
  return [digest.readUIntBE(0, 6) / 2 ** 48, digest.readUIntBE(6, 6) / 2 ** 48];
}

/** The member's arm: holdout with probability `holdoutShare`, else a variant in proportion to its weight. */
export function assignArm(
  campaignId: string,
  memberId: string,
  holdoutShare: number,
  variants: readonly { name: string; weight: number }[],
): Arm {
  const [holdoutDraw, variantDraw] = stableUnits(campaignId, memberId);
  if (holdoutDraw < holdoutShare) return { arm: 'holdout' };
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  let edge = 0;
  for (const variant of variants) {
    edge += variant.weight / total;
    if (variantDraw < edge) return { arm: 'treatment', variant: variant.name };
  }
  // Rounding can leave the last edge a hair below 1.
  const last = variants.at(-1);
  if (last === undefined) throw new Error('a campaign has at least one variant');
  return { arm: 'treatment', variant: last.name };
}
