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

// The LATERAL ... LIMIT 1 lookups force one index probe per record (LIMIT keeps the planner from
// flattening them into joins): without statistics (a fresh embedded
// database is never analysed) a plain join would hash the program's whole table for every chunk.
// Each chunk is one statement: the records travel as one jsonb parameter and are unpacked with
// jsonb_to_recordset, which both engines support and which keeps the statement text fixed.

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
  FROM inserted i JOIN resolved r ON r.event_id = i.event_id
  CROSS JOIN LATERAL jsonb_to_recordset(r.items) AS it(line_no integer, sku text, category text, description text,
         quantity integer, unit_price numeric, merchandise boolean)
)`
      : '';
  return `WITH input AS (
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(ord integer, event_id text, member text, occurred_at timestamptz,
    payload_hash text, ${recordsetType(columns)}${kind === 'purchases' ? ', items jsonb' : ''})
), resolved AS (
  SELECT input.*, m.member_id FROM input
  LEFT JOIN LATERAL (
    SELECT member_id FROM members WHERE program_id = $1 AND external_id = input.member LIMIT 1
  ) m ON true
), inserted AS (
  INSERT INTO ${spec.table} (program_id, event_id, member_id, occurred_at, payload_hash, ${names(columns)})
  SELECT $1, r.event_id, r.member_id, r.occurred_at, r.payload_hash, ${values.join(', ')}
  FROM resolved r WHERE r.member_id IS NOT NULL
  ON CONFLICT (program_id, event_id) DO NOTHING
  RETURNING event_id
)${items}
SELECT r.ord,
  CASE WHEN i.event_id IS NOT NULL THEN 'inserted'
       WHEN e.event_id IS NOT NULL AND e.payload_hash = r.payload_hash THEN 'duplicate'
       WHEN e.event_id IS NOT NULL THEN 'conflict'
       WHEN r.member_id IS NULL THEN 'unknown_member'
       ELSE 'raced' END AS status
FROM resolved r
LEFT JOIN inserted i ON i.event_id = r.event_id
LEFT JOIN LATERAL (
  SELECT event_id, payload_hash FROM ${spec.table} WHERE program_id = $1 AND event_id = r.event_id LIMIT 1
) e ON i.event_id IS NULL`;
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
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(ord integer, external_id text, payload_hash text, ${recordsetType(columns)})
), upserted AS (
  INSERT INTO ${table} (program_id, external_id, payload_hash, ${names(columns)})
  SELECT $1, r.external_id, r.payload_hash, ${values.join(', ')} FROM input r
  ON CONFLICT (program_id, external_id) DO UPDATE SET ${set}, payload_hash = excluded.payload_hash, updated_at = now()
  WHERE ${table}.payload_hash <> excluded.payload_hash
  RETURNING external_id, (xmax = 0) AS fresh
)
SELECT r.ord, CASE WHEN u.external_id IS NULL THEN 'duplicate' WHEN u.fresh THEN 'inserted' ELSE 'updated' END AS status
FROM input r LEFT JOIN upserted u ON u.external_id = r.external_id`;
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
  const { rows } = await trx.executeQuery<{ ord: number; status: WriteStatus | 'raced' }>(
    CompiledQuery.raw(statementFor(kind), [programId, payload]),
  );
  const raced = rows.filter((r) => r.status === 'raced');
  if (raced.length === 0) return rows as WriteOutcome[];
  // Another transaction committed the same id while this statement ran; its row was not in this
  // statement's snapshot, so compare hashes now that it is.
  const byOrd = new Map(records.map((r) => [r.ord, r]));
  const table = kind === 'members' || kind === 'accounts' ? kind : EVENT_SPECS[kind].table;
  const idOf = (ord: number) => (byOrd.get(ord)?.record as { id: string } | undefined)?.id ?? '';
  const ids = raced.map((r) => idOf(r.ord));
  const { rows: existing } = await trx.executeQuery<{ event_id: string; payload_hash: string }>(
    CompiledQuery.raw(
      `SELECT event_id, payload_hash FROM ${table} WHERE program_id = $1 AND event_id = ANY($2)`,
      [programId, ids],
    ),
  );
  const hashes = new Map(existing.map((e) => [e.event_id, e.payload_hash]));
  return rows.map((r) => {
    if (r.status !== 'raced') return r as WriteOutcome;
    return {
      ord: r.ord,
      status: hashes.get(idOf(r.ord)) === byOrd.get(r.ord)?.hash ? 'duplicate' : 'conflict',
    };
  });
}
