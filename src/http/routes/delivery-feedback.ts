import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../contracts/errors.ts';
import { recordDeliveryFeedback } from '../../services/delivery/record-delivery-feedback.ts';
import type { Deps } from '../../services/deps.ts';
import type { AppEnv } from '../app.ts';
import { errorResponse } from '../http-errors.ts';

/** Largest feedback request body, in bytes. */
export const MAX_FEEDBACK_BODY_BYTES = 1024 * 1024;

/**
 * Bounce and complaint reports from a program's email provider (or a bridge in front of it). No API
 * key: the `Narrowcast-Signature` HMAC of the raw body with the program's feedback secret is the
 * authority, checked before the body is parsed.
 */
export function deliveryFeedbackRoutes(deps: Deps) {
  return new Hono<AppEnv>().post(
    '/hooks/delivery-feedback/:programId',
    bodyLimit({
      maxSize: MAX_FEEDBACK_BODY_BYTES,
      onError: (c) =>
        errorResponse(
          c,
          new AppError('PAYLOAD_TOO_LARGE', `the request body exceeds ${MAX_FEEDBACK_BODY_BYTES} bytes`),
        ),
    }),
    async (c) =>
      c.json(
        await recordDeliveryFeedback(deps, {
          programId: c.req.param('programId'),
          body: await c.req.text(),
          signature: c.req.header('narrowcast-signature'),
        }),
      ),
  );
}
