import { PROGRAM_PARAM } from './program-param.ts';

/**
 * A LATERAL join that reads a per-member table for one member of the outer row, by its
 * (program_id, member_id) index, as a statement's SQL text. `$1` must be the program id;
 * `memberId` is the outer expression that names the member (`u.id` of an unnest of ids, say).
 *
 * Why a probe per member rather than a join over `member_id = ANY(...)`: that join's plan depends
 * on the table's statistics, and they describe the table as it was before a long transaction (a
 * rebuild, an import) wrote a row for every member. Planned with them, a chunk of 2,000 members of
 * a million-member program was read as a scan of every member's rows, for every chunk. A LATERAL
 * subquery with `OFFSET 0` cannot be pulled up into a join, so it stays one index probe per member
 * whatever the statistics say, and it compares the program as PROGRAM_PARAM does (ADR 0031).
 */
export function memberProbe(
  table: string,
  columns: string,
  memberId: string,
  alias: string,
  join: 'inner' | 'left' = 'inner',
): string {
  const lateral = `(SELECT ${columns} FROM ${table} WHERE program_id = ${PROGRAM_PARAM} AND member_id = ${memberId} OFFSET 0) AS ${alias}`;
  return join === 'inner' ? `CROSS JOIN LATERAL ${lateral}` : `LEFT JOIN LATERAL ${lateral} ON true`;
}
