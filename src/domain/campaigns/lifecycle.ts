import type { CampaignStatus } from '../../contracts/campaigns.ts';

// draft -> approved -> scheduled / running -> completed, and cancelled from anything not finished.
// A scheduled campaign starts running when its first message is due; a triggered or recurring one
// stays running until it is cancelled or its calendar ends.

const NEXT: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ['approved', 'cancelled'],
  approved: ['scheduled', 'running', 'cancelled'],
  scheduled: ['running', 'cancelled'],
  running: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

/** Whether a campaign may move from one status to another. */
export function canMove(from: CampaignStatus, to: CampaignStatus): boolean {
  return NEXT[from].includes(to);
}

/** Statuses whose content is frozen: anything past draft. */
export function isFrozen(status: CampaignStatus): boolean {
  return status !== 'draft';
}

/** Statuses that are over: nothing more is sent and nothing can change. */
export function isFinished(status: CampaignStatus): boolean {
  return status === 'completed' || status === 'cancelled';
}
