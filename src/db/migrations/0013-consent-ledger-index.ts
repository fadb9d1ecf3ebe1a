// The consent ledger as a launch reads it (issue 5): each page of the audience asks for its members'
// consents for the campaign's purpose on its channels. Through the generic (program, member, time)
// index every row was a heap fetch, and consents arrive in time order, not member order, so at
// 1,000,000 members those were millions of scattered page reads. This index answers the read from
// the index alone (once the table's pages are marked all-visible by vacuum) and skips the other
// channels and purposes.

export const statements = [
  `CREATE INDEX consents_ledger_idx ON consents (program_id, member_id, channel, purpose)
  INCLUDE (status, occurred_at)`,
];
