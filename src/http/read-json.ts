import type { Context } from 'hono';
import { AppError } from '../contracts/errors.ts';

/** The request body as JSON, or INVALID_INPUT saying why it is not. */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('application/json')) {
    throw new AppError('INVALID_INPUT', 'the request body must be JSON (Content-Type: application/json)');
  }
  try {
    return await c.req.json();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('INVALID_INPUT', `the request body is not valid JSON: ${(error as Error).message}`);
  }
}
