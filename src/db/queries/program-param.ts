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
