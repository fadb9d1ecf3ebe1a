import { type Kysely, sql, type Transaction } from 'kysely';
import type { Schema } from '../schema.ts';

/** Rows per INSERT: array parameters keep each statement to a handful of values however many rows. */
export const PREDICTION_CHUNK_ROWS = 50_000;

/** A fitted model as stored in clv_models. */
export interface StoredClvModel {
  id: string;
  programId: string;
  model: 'bgnbd' | 'pareto-nbd' | 'gamma-gamma';
  params: Record<string, number>;
  standardErrors: Record<string, number> | null;
  logLikelihood: number;
  n: number;
  converged: boolean;
  iterations: number;
  calibrationEnd: Date;
  timeUnit: 'day' | 'week';
  fittedAt: Date;
}

/** Per-member predictions as parallel columns; money already rounded to exact decimal strings. */
export interface PredictionColumns {
  memberId: Float64Array;
  expectedPurchases: Float64Array;
  pAlive: Float64Array;
  /** null where the spend model has no finite mean (or no spend model was fitted). */
  expectedSpend: (string | null)[];
  clv: (string | null)[];
  clvPercentile: (number | null)[];
}

/** Stores one fitted model. */
export async function insertClvModel(db: Kysely<Schema> | Transaction<Schema>, model: StoredClvModel) {
  await db
    .insertInto('clv_models')
    .values({
      id: model.id,
      program_id: model.programId,
      model: model.model,
      params: JSON.stringify(model.params) as never,
      standard_errors: (model.standardErrors === null ? null : JSON.stringify(model.standardErrors)) as never,
      log_likelihood: model.logLikelihood,
      n: model.n,
      converged: model.converged,
      iterations: model.iterations,
      calibration_end: model.calibrationEnd,
      time_unit: model.timeUnit,
      fitted_at: model.fittedAt,
    })
    .execute();
}

/**
 * Replaces the program's predictions with these, in chunks of array-parameter inserts. Run it inside
 * a transaction so readers see the old set or the new one, never a mixture.
 */
export async function replacePredictions(
  trx: Transaction<Schema>,
  programId: string,
  models: { modelId: string; spendModelId: string | null; computedAt: Date },
  rows: PredictionColumns,
): Promise<void> {
  await trx.deleteFrom('member_predictions').where('program_id', '=', programId).execute();
  const total = rows.memberId.length;
  for (let from = 0; from < total; from += PREDICTION_CHUNK_ROWS) {
    const to = Math.min(total, from + PREDICTION_CHUNK_ROWS);
    await sql`INSERT INTO member_predictions (program_id, member_id, model_id, spend_model_id,
        expected_purchases, p_alive, expected_spend, clv, clv_percentile, computed_at)
      SELECT ${programId}, t.member_id, ${models.modelId}, ${models.spendModelId}, t.expected_purchases,
        t.p_alive, t.expected_spend, t.clv, t.clv_percentile, ${models.computedAt}
      FROM unnest(${Array.from(rows.memberId.subarray(from, to))}::int8[],
        ${Array.from(rows.expectedPurchases.subarray(from, to))}::float8[],
        ${Array.from(rows.pAlive.subarray(from, to))}::float8[],
        ${rows.expectedSpend.slice(from, to)}::numeric[],
        ${rows.clv.slice(from, to)}::numeric[],
        ${rows.clvPercentile.slice(from, to)}::float8[])
        AS t(member_id, expected_purchases, p_alive, expected_spend, clv, clv_percentile)`.execute(trx);
  }
}

/** One member's stored predictions with the model behind them, or null when none were computed. */
export async function memberPrediction(db: Kysely<Schema>, programId: string, memberId: number) {
  const row = await db
    .selectFrom('member_predictions as p')
    .innerJoin('clv_models as m', 'm.id', 'p.model_id')
    .select([
      'p.model_id',
      'p.spend_model_id',
      'm.model',
      'p.expected_purchases',
      'p.p_alive',
      'p.expected_spend',
      'p.clv',
      'p.clv_percentile',
      'p.computed_at',
      'm.calibration_end',
      'm.time_unit',
    ])
    .where('p.program_id', '=', programId)
    .where('p.member_id', '=', memberId)
    .executeTakeFirst();
  return row ?? null;
}

/** The program's most recently fitted model of one kind, or undefined. */
export async function latestClvModel(
  db: Kysely<Schema>,
  programId: string,
  kinds: readonly StoredClvModel['model'][],
): Promise<StoredClvModel | undefined> {
  const row = await db
    .selectFrom('clv_models')
    .selectAll()
    .where('program_id', '=', programId)
    .where('model', 'in', kinds)
    .orderBy('fitted_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    id: row.id,
    programId: row.program_id,
    model: row.model,
    params: row.params,
    standardErrors: row.standard_errors,
    logLikelihood: row.log_likelihood,
    n: row.n,
    converged: row.converged,
    iterations: row.iterations,
    calibrationEnd: row.calibration_end,
    timeUnit: row.time_unit,
    fittedAt: row.fitted_at,
  };
}
