/**
 * The program id `$1` as statements on a program's rows compare it where a plan must not depend on
 * what the statistics know of this program: behind a scalar subquery, so the planner estimates the
 * program's rows as an average program's. Statistics taken before a program's first import put it
 * at about no rows. Per-member reads then found any index led by `program_id` as cheap as the
 * member's own key, took the one cheapest to descend (the state table's review-day index, the
 * members' external-id key, a time index) and filtered on the member, so every probe read the whole
 * program; program-wide statements joined by nested loops, each row against every other. With an
 * average program's estimate, only the index on (program_id, member_id) finds one row, and joins
 * are planned for a program's size (ADR 0031).
 */
export const PROGRAM_PARAM = '(SELECT $1::text)';

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
