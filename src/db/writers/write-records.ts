import { CompiledQuery, type Kysely } from 'kysely';
import type { RecordKind, RecordOf } from '../../contracts/records.ts';
import type { Schema } from '../schema.ts';
import { ACCOUNT_COLUMNS, type Column, EVENT_SPECS, MEMBER_COLUMNS } from './table-specs.ts';

/** A validated record ready to write: its position in the caller's numbering and its payload hash. */
export interface PreparedRecord<K extends RecordKind = RecordKind> {
  ord: number;
  record: RecordOf[K];
  hash: string;
}

/**
 * What happened to one record. `duplicate`: the same id with the same payload was already there.
 * `conflict`: the id was already used for a different payload. `unknown_member`: the event names a
 * member the program does not have.
 */
export type WriteStatus = 'inserted' | 'updated' | 'duplicate' | 'conflict' | 'unknown_member';

export interface WriteOutcome {
  ord: number;
  status: WriteStatus;
}

// The member lookup is a LATERAL ... LIMIT 1, which forces one index probe per record (LIMIT keeps
// the planner from flattening it into a join): without statistics (a fresh embedded database is
// never analysed) a plain join hashed the program's whole members table for every chunk.
// Whether an id is new, a duplicate or a conflict is decided by the insert itself, through the
// primary key: ON CONFLICT ... DO UPDATE ... WHERE the stored hash differs returns conflicts (as a
// no-op update, and conflicts abort or are refused anyway), inserts return fresh = true, and
// duplicates return nothing. A separate lookup of existing ids let the planner probe the wrong
// index for a program it had no statistics on (2.9 s instead of 0.3 s per 5,000 duplicates), and
// missed rows committed concurrently by another transaction.
// Each chunk is one statement: the records travel as one json parameter and are unpacked with
// json_to_recordset, which both engines support and which keeps the statement text fixed (json,
// not jsonb: the text is read once, so building jsonb's binary form would be wasted work).
// Only records that were not simply inserted come back, which keeps results small.

const recordsetType = (columns: Column<never>[]) => columns.map((c) => `${c.name} ${c.type}`).join(', ');
const names = (columns: Column<never>[]) => columns.map((c) => c.name).join(', ');

function eventStatement(kind: Exclude<RecordKind, 'members' | 'accounts'>): string {
  const spec = EVENT_SPECS[kind];
  const columns = spec.columns as Column<never>[];
  const values = columns.map((c) =>
    c.name === 'currency'
      ? `COALESCE(r.currency, (SELECT currency FROM programs WHERE id = $1))`
      : `r.${c.name}`,
  );
  const items =
    kind === 'purchases'
      ? `, items AS (
  INSERT INTO purchase_items (program_id, event_id, line_no, sku, category, description, quantity, unit_price, amount, merchandise)
  SELECT $1, r.event_id, it.line_no, it.sku, it.category, it.description, it.quantity, it.unit_price,
         it.quantity * it.unit_price, it.merchandise
  FROM inserted i JOIN resolved r ON r.event_id = i.event_id AND i.fresh
  CROSS JOIN LATERAL json_to_recordset(r.items) AS it(line_no integer, sku text, category text, description text,
         quantity integer, unit_price numeric, merchandise boolean)
)`
      : '';
  return `WITH input AS (
  SELECT * FROM json_to_recordset($2::json) AS r(ord integer, event_id text, member text, occurred_at timestamptz,
    payload_hash text, ${recordsetType(columns)}${kind === 'purchases' ? ', items json' : ''})
), resolved AS (
  SELECT input.*, m.member_id FROM input
  LEFT JOIN LATERAL (
    SELECT member_id FROM members WHERE program_id = $1 AND external_id = input.member LIMIT 1
  ) m ON true
), inserted AS (
  INSERT INTO ${spec.table} AS t (program_id, event_id, member_id, occurred_at, payload_hash, ${names(columns)})
  SELECT $1, r.event_id, r.member_id, r.occurred_at, r.payload_hash, ${values.join(', ')}
  FROM resolved r WHERE r.member_id IS NOT NULL
  ON CONFLICT (program_id, event_id) DO UPDATE SET payload_hash = t.payload_hash
  WHERE t.payload_hash <> excluded.payload_hash
  RETURNING event_id, (xmax = 0) AS fresh
)${items}
SELECT r.ord,
  CASE WHEN r.member_id IS NULL THEN 'unknown_member'
       WHEN i.event_id IS NULL THEN 'duplicate'
       ELSE 'conflict' END AS status
FROM resolved r LEFT JOIN inserted i ON i.event_id = r.event_id
WHERE i.fresh IS NOT TRUE`;
}

function upsertStatement(table: 'members' | 'accounts', columns: Column<never>[]): string {
  // A member re-sent with a different payload replaces the stored one; joined_at is kept when the
  // new payload omits it, and defaults to the time of the first load.
  const set = columns
    .map((c) =>
      c.name === 'joined_at'
        ? `joined_at = COALESCE(excluded.joined_at, ${table}.joined_at)`
        : `${c.name} = excluded.${c.name}`,
    )
    .join(', ');
  const values = columns.map((c) =>
    c.name === 'joined_at' ? 'COALESCE(r.joined_at, now())' : `r.${c.name}`,
  );
  return `WITH input AS (
  SELECT * FROM json_to_recordset($2::json) AS r(ord integer, external_id text, payload_hash text, ${recordsetType(columns)})
), upserted AS (
  INSERT INTO ${table} (program_id, external_id, payload_hash, ${names(columns)})
  SELECT $1, r.external_id, r.payload_hash, ${values.join(', ')} FROM input r
  ON CONFLICT (program_id, external_id) DO UPDATE SET ${set}, payload_hash = excluded.payload_hash, updated_at = now()
  WHERE ${table}.payload_hash <> excluded.payload_hash
  RETURNING external_id, (xmax = 0) AS fresh
)
SELECT r.ord, CASE WHEN u.external_id IS NULL THEN 'duplicate' ELSE 'updated' END AS status
FROM input r LEFT JOIN upserted u ON u.external_id = r.external_id
WHERE u.fresh IS NOT TRUE`;
}

const STATEMENTS = new Map<RecordKind, string>();
function statementFor(kind: RecordKind): string {
  let statement = STATEMENTS.get(kind);
  if (!statement) {
    statement =
      kind === 'members'
        ? upsertStatement('members', MEMBER_COLUMNS as Column<never>[])
        : kind === 'accounts'
          ? upsertStatement('accounts', ACCOUNT_COLUMNS as Column<never>[])
          : eventStatement(kind);
    STATEMENTS.set(kind, statement);
  }
  return statement;
}

function toRow(kind: RecordKind, prepared: PreparedRecord): Record<string, unknown> {
  const record = prepared.record as Record<string, unknown> & { id: string };
  const row: Record<string, unknown> = { ord: prepared.ord, payload_hash: prepared.hash };
  if (kind === 'members' || kind === 'accounts') {
    row.external_id = record.id;
    const columns = (kind === 'members' ? MEMBER_COLUMNS : ACCOUNT_COLUMNS) as Column<typeof record>[];
    for (const c of columns) row[c.name] = c.value(record);
    return row;
  }
  const event = record as typeof record & { memberId: string; occurredAt: string };
  row.event_id = event.id;
  row.member = event.memberId;
  row.occurred_at = event.occurredAt;
  for (const c of EVENT_SPECS[kind].columns as Column<typeof record>[]) row[c.name] = c.value(record);
  if (kind === 'purchases') {
    const items = (record as RecordOf['purchases']).items ?? [];
    row.items = items.map((item, index) => ({
      line_no: index + 1,
      sku: item.sku,
      category: item.category ?? null,
      description: item.description ?? null,
      quantity: item.quantity,
      unit_price: item.unitPrice,
      merchandise: item.merchandise,
    }));
  }
  return row;
}

/**
 * Writes one chunk of validated records of one kind inside the caller's transaction. Records whose
 * id occurs twice in the chunk must be removed by the caller first. Returns one outcome per record.
 */
export async function writeRecords(
  trx: Kysely<Schema>,
  programId: string,
  kind: RecordKind,
  records: readonly PreparedRecord[],
): Promise<WriteOutcome[]> {
  if (records.length === 0) return [];
  const payload = JSON.stringify(records.map((r) => toRow(kind, r)));
  const { rows: reported } = await trx.executeQuery<WriteOutcome>(
    CompiledQuery.raw(statementFor(kind), [programId, payload]),
  );
  // The statement reports only records that were not freshly inserted.
  const notInserted = new Set(reported.map((r) => r.ord));
  return [
    ...reported,
    ...records
      .filter((r) => !notInserted.has(r.ord))
      .map((r) => ({ ord: r.ord, status: 'inserted' as const })),
  ];
}
