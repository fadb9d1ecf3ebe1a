import { stringify } from 'csv-stringify/sync';
import type { SegmentExportRow } from '../../contracts/segments.ts';
import { segmentMemberRows } from '../../db/queries/segment-history.ts';
import type { Deps } from '../deps.ts';
import { resolveSegment } from './resolve-segment.ts';

/** Rows read per query while exporting; memory stays flat whatever the segment's size. */
export const EXPORT_PAGE_ROWS = 2000;

export type ExportFormat = 'csv' | 'ndjson';

const COLUMNS: readonly (keyof SegmentExportRow)[] = [
  'memberId',
  'since',
  'explanation',
  'joinedAt',
  'tier',
  'region',
  'locale',
];

/**
 * A segment's current members as CSV (with a header) or NDJSON text, produced page by page so a
 * large segment streams. Contact points are left out on purpose: an export is for analysis, and
 * messages go through campaigns, which check consent.
 */
export async function exportSegment(
  deps: Pick<Deps, 'db'>,
  options: {
    programId: string;
    name: string;
    scheme?: string | undefined;
    format: ExportFormat;
    pageRows?: number;
  },
): Promise<{ scheme: string; segment: string; chunks: AsyncIterable<string> }> {
  const { scheme, segment } = await resolveSegment(deps, options);
  const pageRows = options.pageRows ?? EXPORT_PAGE_ROWS;
  async function* chunks(): AsyncGenerator<string> {
    if (options.format === 'csv') yield stringify([COLUMNS]);
    let after: number | null = null;
    for (;;) {
      const rows = await segmentMemberRows(deps.db, {
        programId: options.programId,
        scheme,
        segment,
        after,
        limit: pageRows,
      });
      if (rows.length === 0) return;
      const records: SegmentExportRow[] = rows.map((r) => ({
        memberId: r.external_id,
        since: r.since.toISOString(),
        explanation: r.explanation,
        joinedAt: r.joined_at.toISOString(),
        tier: r.tier,
        region: r.region,
        locale: r.locale,
      }));
      yield options.format === 'csv'
        ? stringify(records.map((record) => COLUMNS.map((c) => record[c] ?? '')))
        : records.map((record) => `${JSON.stringify(record)}\n`).join('');
      if (rows.length < pageRows) return;
      after = (rows.at(-1) as (typeof rows)[0]).member_id;
    }
  }
  return { scheme, segment, chunks: chunks() };
}
