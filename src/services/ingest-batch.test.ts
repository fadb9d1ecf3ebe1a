import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { freshProgramId, openTestDatabase } from '../../test/fixtures/database.ts';
import { AppError } from '../contracts/errors.ts';
import { createProgram } from './create-program.ts';
import { type Deps, silentLog } from './deps.ts';
import { ingestBatch } from './ingest-batch.ts';

const database = await openTestDatabase();
const deps: Deps = { db: database.db, clock: () => new Date('2024-06-01T00:00:00Z'), log: silentLog };
afterAll(() => database.close());

let programId: string;
beforeEach(async () => {
  programId = freshProgramId();
  await createProgram(deps, { programId, currency: 'GBP' });
  await ingestBatch(deps, { programId, kind: 'members', records: [{ id: 'm1', joinedAt: '2024-01-01' }] });
});

const order = {
  id: 'o1',
  memberId: 'm1',
  occurredAt: '2024-02-01T10:00:00Z',
  items: [
    { sku: 'A', quantity: 2, unitPrice: '1.255' },
    { sku: 'POST', quantity: 1, unitPrice: 5, merchandise: false },
  ],
};

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('ingestBatch', () => {
  it('stores a purchase with its items, exact totals and the program currency', async () => {
    const result = await ingestBatch(deps, { programId, kind: 'purchases', records: [order] });
    expect(result).toMatchObject({ inserted: 1, duplicate: 0 });
    const stored = await deps.db
      .selectFrom('purchases')
      .select(['amount', 'merchandise_amount', 'currency', 'item_count'])
      .where('program_id', '=', programId)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({
      amount: '7.5100',
      merchandise_amount: '2.5100',
      currency: 'GBP',
      item_count: 2,
    });
    const items = await deps.db
      .selectFrom('purchase_items')
      .select(['sku', 'amount'])
      .where('program_id', '=', programId)
      .orderBy('line_no')
      .execute();
    expect(items).toEqual([
      { sku: 'A', amount: '2.5100' },
      { sku: 'POST', amount: '5.0000' },
    ]);
  });

  it('treats a re-sent event as a duplicate and changes nothing', async () => {
    await ingestBatch(deps, { programId, kind: 'purchases', records: [order] });
    const again = await ingestBatch(deps, { programId, kind: 'purchases', records: [{ ...order }] });
    expect(again).toMatchObject({ inserted: 0, duplicate: 1 });
  });

  it('rejects an id reused with a different payload, naming the record', async () => {
    await ingestBatch(deps, { programId, kind: 'purchases', records: [order] });
    const error = await caught(
      ingestBatch(deps, { programId, kind: 'purchases', records: [{ ...order, occurredAt: '2024-02-02' }] }),
    );
    expect(error.code).toBe('ID_CONFLICT');
    expect(error.details).toEqual({
      problems: [
        { index: 0, path: 'id', message: 'id "o1" was already used for a different purchases record' },
      ],
    });
  });

  it('applies nothing from a batch with one bad record and lists each problem with index and path', async () => {
    const error = await caught(
      ingestBatch(deps, {
        programId,
        kind: 'purchases',
        records: [
          { ...order, id: 'ok' },
          { ...order, id: 'bad', items: [{ sku: 'A', quantity: 1, unitPrice: 'abc' }] },
          { ...order, id: 'ghost', memberId: 'nobody' },
        ],
      }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details).toEqual({
      problems: [
        {
          index: 1,
          path: 'items[0].unitPrice',
          message: 'must be a decimal number with at most 14 digits and 4 decimals',
        },
      ],
    });
    const count = await deps.db
      .selectFrom('purchases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('program_id', '=', programId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('rejects an event for an unknown member and applies nothing else from the batch', async () => {
    const error = await caught(
      ingestBatch(deps, {
        programId,
        kind: 'purchases',
        records: [
          { ...order, id: 'ok' },
          { ...order, id: 'x', memberId: 'nobody' },
        ],
      }),
    );
    expect(error.details).toEqual({
      problems: [
        {
          index: 1,
          path: 'memberId',
          message: 'names a member this program does not have; load the member first',
        },
      ],
    });
    const count = await deps.db
      .selectFrom('purchases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('program_id', '=', programId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('updates a member re-sent with new details and counts an identical re-send as a duplicate', async () => {
    const updated = await ingestBatch(deps, {
      programId,
      kind: 'members',
      records: [{ id: 'm1', joinedAt: '2024-01-01', tier: 'gold' }],
    });
    expect(updated).toMatchObject({ inserted: 0, updated: 1 });
    const same = await ingestBatch(deps, {
      programId,
      kind: 'members',
      records: [{ id: 'm1', joinedAt: '2024-01-01', tier: 'gold' }],
    });
    expect(same).toMatchObject({ inserted: 0, updated: 0, duplicate: 1 });
  });

  it('accepts every event kind', async () => {
    const base = { memberId: 'm1', occurredAt: '2024-03-01T00:00:00Z' };
    const batches = {
      points: { ...base, id: 'p1', type: 'earn', points: 100, reason: 'purchase' },
      engagement: { ...base, id: 'e1', kind: 'review' },
      surveys: { ...base, id: 's1', kind: 'nps', score: 9 },
      declarations: { ...base, id: 'd1', key: 'interest', value: 'coffee', source: 'quiz' },
      consents: { ...base, id: 'c1', channel: 'email', purpose: 'marketing', status: 'granted' },
      'message-events': { ...base, id: 'x1', type: 'opened', channel: 'email' },
    } as const;
    for (const [kind, record] of Object.entries(batches)) {
      const result = await ingestBatch(deps, {
        programId,
        kind: kind as keyof typeof batches,
        records: [record],
      });
      expect(result.inserted, kind).toBe(1);
    }
  });
});
