import type { ChannelSettingsView } from '../../contracts/delivery.ts';
import { Channel } from '../../contracts/records.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { channelView } from './configure-channel.ts';

/** Every channel of a program, configured or not, without secrets. */
export async function listChannels(
  deps: Pick<Deps, 'db'>,
  { programId }: { programId: string },
): Promise<ChannelSettingsView[]> {
  await requireProgram(deps.db, programId);
  const rows = await deps.db
    .selectFrom('delivery_channels')
    .selectAll()
    .where('program_id', '=', programId)
    .execute();
  return Channel.options.map((channel) => {
    const row = rows.find((r) => r.channel === channel);
    return row
      ? channelView(row)
      : { channel, url: null, ratePerSecond: null, hasSecret: false, updatedAt: '' };
  });
}
