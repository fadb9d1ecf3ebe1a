import type { CampaignStatus } from '../../contracts/campaigns.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';

/** One line of the campaign list: the latest version of each campaign. */
export interface CampaignSummary {
  name: string;
  version: number;
  status: CampaignStatus;
  goal: string;
  channels: string[];
  updatedAt: string;
}

/** The latest version of every campaign of a program, optionally only those in one status, by name. */
export async function listCampaigns(
  deps: Pick<Deps, 'db'>,
  { programId, status }: { programId: string; status?: CampaignStatus | undefined },
): Promise<CampaignSummary[]> {
  await requireProgram(deps.db, programId);
  let query = deps.db
    .selectFrom('campaigns as c')
    .select(['c.name', 'c.version', 'c.status', 'c.definition', 'c.updated_at'])
    .where('c.program_id', '=', programId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('campaigns as newer')
            .select('newer.version')
            .whereRef('newer.program_id', '=', 'c.program_id')
            .whereRef('newer.name', '=', 'c.name')
            .whereRef('newer.version', '>', 'c.version'),
        ),
      ),
    )
    .orderBy('c.name');
  if (status !== undefined) query = query.where('c.status', '=', status);
  const rows = await query.execute();
  return rows.map((row) => {
    const definition = row.definition as { goal: string; channels: string[] };
    return {
      name: row.name,
      version: row.version,
      status: row.status,
      goal: definition.goal,
      channels: definition.channels,
      updatedAt: row.updated_at.toISOString(),
    };
  });
}
