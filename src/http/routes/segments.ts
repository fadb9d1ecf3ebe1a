import { Hono } from 'hono';
import { AppError } from '../../contracts/errors.ts';
import { Timestamp } from '../../contracts/scalars.ts';
import { authorize } from '../../services/authenticate-api-key.ts';
import type { Deps } from '../../services/deps.ts';
import { createSegment } from '../../services/segment-definitions/create-segment.ts';
import { deleteSegment } from '../../services/segment-definitions/delete-segment.ts';
import { setSegmentThresholds } from '../../services/segment-definitions/set-segment-thresholds.ts';
import { showSegment } from '../../services/segment-definitions/show-segment.ts';
import { showSegmentThresholds } from '../../services/segment-definitions/show-segment-thresholds.ts';
import { updateSegment } from '../../services/segment-definitions/update-segment.ts';
import { type ExportFormat, exportSegment } from '../../services/segment-history/export-segment.ts';
import { listSegmentMembers } from '../../services/segment-history/list-segment-members.ts';
import { listSegments } from '../../services/segment-history/list-segments.ts';
import { segmentMigration } from '../../services/segment-history/segment-migration.ts';
import { segmentOverlap } from '../../services/segment-history/segment-overlap.ts';
import { segmentSizeHistory } from '../../services/segment-history/segment-size-history.ts';
import type { AppEnv } from '../app.ts';
import { readJson } from '../read-json.ts';

/** A date or date-time query parameter (a date means its start, 00:00 UTC). */
function dateParam(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = Timestamp.safeParse(value);
  if (!parsed.success)
    throw new AppError('INVALID_INPUT', `query parameter "${name}" ${parsed.error.issues[0]?.message}`);
  return new Date(parsed.data);
}

function requiredDate(name: string, value: string | undefined): Date {
  const date = dateParam(name, value);
  if (!date)
    throw new AppError('INVALID_INPUT', `query parameter "${name}" is required (a date such as 2024-05-01)`);
  return date;
}

/** A segment named in a query parameter as "scheme/name". */
function segmentParam(name: string, value: string | undefined): { scheme: string; name: string } {
  const slash = value?.indexOf('/') ?? -1;
  if (value === undefined || slash <= 0) {
    throw new AppError(
      'INVALID_INPUT',
      `query parameter "${name}" must name a segment as scheme/name, e.g. loyalty/vips`,
    );
  }
  return { scheme: value.slice(0, slash), name: value.slice(slash + 1) };
}

/** Text chunks as a streamed response body. */
function streamOf(chunks: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

const EXPORT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

/**
 * Segments of a program: definitions (manage scope to change, read scope to see), memberships,
 * and history. Built-in and custom segments are addressed alike, as /segments/:scheme/:name.
 */
export function segmentRoutes(deps: Deps) {
  const base = '/programs/:programId';
  const segment = `${base}/segments/:scheme/:name`;
  return new Hono<AppEnv>()
    .get(`${base}/segments`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      return c.json(await listSegments(deps, { programId, scheme: c.req.query('scheme') }));
    })
    .post(`${base}/segments`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json(await createSegment(deps, { programId, input: await readJson(c) }), 201);
    })
    .get(segment, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      return c.json(
        await showSegment(deps, { programId, scheme: c.req.param('scheme'), name: c.req.param('name') }),
      );
    })
    .patch(segment, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      const key = { scheme: c.req.param('scheme'), name: c.req.param('name') };
      return c.json(await updateSegment(deps, { programId, ...key, input: await readJson(c) }));
    })
    .delete(segment, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json(
        await deleteSegment(deps, { programId, scheme: c.req.param('scheme'), name: c.req.param('name') }),
      );
    })
    .get(`${segment}/members`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      const limit = c.req.query('limit');
      return c.json(
        await listSegmentMembers(deps, {
          programId,
          scheme: c.req.param('scheme'),
          name: c.req.param('name'),
          cursor: c.req.query('cursor'),
          ...(limit === undefined ? {} : { limit: Number(limit) }),
        }),
      );
    })
    .get(`${segment}/export`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      const format = c.req.query('format') ?? 'csv';
      if (format !== 'csv' && format !== 'ndjson') {
        throw new AppError('INVALID_INPUT', 'query parameter "format" must be csv or ndjson');
      }
      const exported = await exportSegment(deps, {
        programId,
        scheme: c.req.param('scheme'),
        name: c.req.param('name'),
        format,
      });
      return c.body(streamOf(exported.chunks), 200, {
        'content-type': EXPORT_TYPES[format],
        'content-disposition': `attachment; filename="${`${exported.scheme}-${exported.segment}`.replace(/[^\w.-]/g, '_')}.${format}"`,
      });
    })
    .get(`${base}/segment-migration`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      return c.json(
        await segmentMigration(deps, {
          programId,
          from: requiredDate('from', c.req.query('from')),
          to: requiredDate('to', c.req.query('to')),
          scheme: c.req.query('scheme'),
        }),
      );
    })
    .get(`${base}/segment-overlap`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      return c.json(
        await segmentOverlap(deps, {
          programId,
          a: segmentParam('a', c.req.query('a')),
          b: segmentParam('b', c.req.query('b')),
        }),
      );
    })
    .get(`${base}/segment-sizes`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      return c.json(
        await segmentSizeHistory(deps, {
          programId,
          scheme: c.req.query('scheme'),
          from: dateParam('from', c.req.query('from')),
          to: dateParam('to', c.req.query('to')),
        }),
      );
    })
    .get(`${base}/segment-thresholds`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'read');
      return c.json(await showSegmentThresholds(deps, { programId }));
    })
    .put(`${base}/segment-thresholds`, async (c) => {
      const programId = c.req.param('programId');
      authorize(c.get('principal'), programId, 'manage');
      return c.json(await setSegmentThresholds(deps, { programId, overrides: await readJson(c) }));
    });
}
