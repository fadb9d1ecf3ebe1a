import type { GovernancePolicy } from '../../contracts/campaigns.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { readGovernancePolicy } from './campaign-store.ts';

/** A program's send rules (the defaults until it sets its own). */
export async function showGovernancePolicy(
  deps: Pick<Deps, 'db'>,
  { programId }: { programId: string },
): Promise<GovernancePolicy> {
  await requireProgram(deps.db, programId);
  return readGovernancePolicy(deps.db, programId);
}
