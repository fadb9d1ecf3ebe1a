import { GovernancePolicy } from '../../contracts/campaigns.ts';
import { AppError } from '../../contracts/errors.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { readGovernancePolicy } from './campaign-store.ts';

/**
 * Changes a program's send rules: the fields given replace the current ones (frequency caps per
 * channel, quiet hours or null for none, default zone, sensitive declaration keys, reward
 * thresholds). Launches from now on use them; decisions already taken keep their reasons.
 */
export async function setGovernancePolicy(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, changes }: { programId: string; changes: unknown },
): Promise<GovernancePolicy> {
  await requireProgram(deps.db, programId);
  const partial = GovernancePolicy.partial().safeParse(changes);
  if (!partial.success) {
    throw new AppError('INVALID_INPUT', 'the policy is not valid', {
      issues: partial.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const current = await readGovernancePolicy(deps.db, programId);
  const merged = GovernancePolicy.parse({ ...current, ...partial.data });
  if ([...merged.rewardThresholds].sort((a, b) => a - b).join() !== merged.rewardThresholds.join()) {
    throw new AppError('INVALID_INPUT', 'rewardThresholds must be in ascending order');
  }
  const now = deps.clock();
  await deps.db
    .insertInto('campaign_policies')
    .values({ program_id: programId, policy: merged, updated_at: now })
    .onConflict((oc) => oc.column('program_id').doUpdateSet({ policy: merged, updated_at: now }))
    .execute();
  return merged;
}
