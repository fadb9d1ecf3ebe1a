import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../contracts/errors.ts';
import { RecordKind } from '../../contracts/records.ts';
import { authorize } from '../../services/authenticate-api-key.ts';
import type { Deps } from '../../services/deps.ts';
import { ingestBatch, MAX_BATCH_RECORDS } from '../../services/ingest-batch.ts';
import type { AppEnv } from '../app.ts';
import { readJson } from '../read-json.ts';

/** The body of a batch ingest request. */
export const BatchBody = z.object({ records: z.array(z.unknown()).max(MAX_BATCH_RECORDS) });

/** POST /v1/programs/:programId/:kind — a batch of up to 10,000 records of one kind, all or nothing. */
export function ingestRoutes(deps: Deps) {
  return new Hono<AppEnv>().post('/programs/:programId/:kind', async (c) => {
    const programId = c.req.param('programId');
    authorize(c.get('principal'), programId, 'ingest');
    const kind = RecordKind.safeParse(c.req.param('kind'));
    if (!kind.success) {
      throw new AppError(
        'NOT_FOUND',
        `unknown record kind "${c.req.param('kind')}"; one of ${RecordKind.options.join(', ')}`,
      );
    }
    const body = await readJson(c);
    const records = (body as { records?: unknown })?.records;
    if (!Array.isArray(records)) throw new AppError('INVALID_INPUT', 'the body must be {"records": [...]}');
    const result = await ingestBatch(deps, { programId, kind: kind.data, records });
    return c.json(result, result.inserted > 0 || result.updated > 0 ? 201 : 200);
  });
}
