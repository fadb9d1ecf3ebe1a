import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, ERROR_CODES, type ErrorBody } from '../contracts/errors.ts';
import type { Log } from '../services/deps.ts';

/** The one error body, with the status its code maps to. */
export function errorResponse(c: Context, error: AppError): Response {
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
      requestId: c.get('requestId') as string,
    },
  };
  return c.json(body, ERROR_CODES[error.code].status as ContentfulStatusCode);
}

/** Turns anything thrown into the error body; unexpected errors are logged, not shown. */
export function handleError(log: Log) {
  return (error: Error, c: Context): Response => {
    if (error instanceof AppError) return errorResponse(c, error);
    log.error('unhandled error', { requestId: c.get('requestId'), error: error.stack ?? error.message });
    return errorResponse(c, new AppError('INTERNAL', 'an unexpected error occurred; it has been logged'));
  };
}
