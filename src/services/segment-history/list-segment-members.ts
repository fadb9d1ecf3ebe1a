import { AppError } from '../../contracts/errors.ts';
import type { SegmentMembersPage } from '../../contracts/segments.ts';
import { segmentMemberRows } from '../../db/queries/segment-history.ts';
import type { Deps } from '../deps.ts';
import { resolveSegment } from './resolve-segment.ts';

/** Members per page when none is asked for. */
export const DEFAULT_MEMBERS_PAGE = 100;
/** Largest page of members. */
export const MAX_MEMBERS_PAGE = 1000;

/** Reads a page cursor: the last internal member id of the previous page. */
export function parseCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === '') return null;
  if (!/^\d{1,15}$/.test(cursor))
    throw new AppError('INVALID_INPUT', `cursor "${cursor}" is not one this API returned`);
  return Number(cursor);
}

/** One page of a segment's current members, in a stable order, with why each is there. */
export async function listSegmentMembers(
  deps: Pick<Deps, 'db'>,
  options: {
    programId: string;
    name: string;
    scheme?: string | undefined;
    limit?: number;
    cursor?: string | undefined;
  },
): Promise<SegmentMembersPage> {
  const limit = options.limit ?? DEFAULT_MEMBERS_PAGE;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_MEMBERS_PAGE) {
    throw new AppError('INVALID_INPUT', `limit must be a whole number from 1 to ${MAX_MEMBERS_PAGE}`);
  }
  const after = parseCursor(options.cursor);
  const { scheme, segment } = await resolveSegment(deps, options);
  const rows = await segmentMemberRows(deps.db, {
    programId: options.programId,
    scheme,
    segment,
    after,
    limit,
  });
  const last = rows.at(-1);
  return {
    programId: options.programId,
    scheme,
    segment,
    members: rows.map((r) => ({
      memberId: r.external_id,
      since: r.since.toISOString(),
      explanation: r.explanation,
    })),
    nextCursor: rows.length === limit && last ? String(last.member_id) : null,
  };
}
