import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { AppError } from '../contracts/errors.ts';
import { authenticateApiKey, type Principal } from '../services/authenticate-api-key.ts';
import type { Deps } from '../services/deps.ts';
import { errorResponse, handleError } from './http-errors.ts';
import { preferencePageRoutes } from './pages/preference-routes.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { deliveryFeedbackRoutes } from './routes/delivery-feedback.ts';
import { deliverySettingsRoutes } from './routes/delivery-settings.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { memberRoutes } from './routes/members.ts';
import { openApiRoute } from './routes/openapi.ts';
import { preferenceCentreRoutes } from './routes/preference-centre.ts';
import { reportRoutes } from './routes/reports.ts';
import { segmentRoutes } from './routes/segments.ts';
import { trackingRoutes } from './routes/tracking.ts';
import { unsubscribeRoutes } from './routes/unsubscribe.ts';
import { webhookRoutes } from './routes/webhooks.ts';

/** Largest request body accepted, in bytes (a full batch of 10,000 rich records fits). */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface HttpOptions {
  maxBodyBytes?: number;
}

export type AppEnv = { Variables: { requestId: string; principal: Principal } };

/** The HTTP API. Routes are thin: validate in, call a service, shape out. */
export function createApp(deps: Deps, options: HttpOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(secureHeaders());
  app.onError(handleError(deps.log));
  app.notFound((c) => errorResponse(c, new AppError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`)));

  app.get('/health', (c) => c.json({ ok: true }));
  app.route('/', openApiRoute());
  app.route('/', preferencePageRoutes(deps));
  app.route('/', unsubscribeRoutes(deps));
  app.route('/', trackingRoutes(deps));
  app.route('/', deliveryFeedbackRoutes(deps));

  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const v1 = new Hono<AppEnv>();
  // The key is checked before the body is read, so an anonymous client cannot make the server
  // buffer a body of up to the limit.
  v1.use(async (c, next) => {
    c.set('principal', await authenticateApiKey(deps, bearerToken(c.req.header('authorization'))));
    await next();
  });
  v1.use(
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) =>
        errorResponse(c, new AppError('PAYLOAD_TOO_LARGE', `the request body exceeds ${maxBodyBytes} bytes`)),
    }),
  );
  v1.route('/', campaignRoutes(deps));
  v1.route('/', deliverySettingsRoutes(deps));
  v1.route('/', reportRoutes(deps));
  // Before ingest: its POST /programs/:programId/:kind would otherwise take /segments and /webhooks.
  v1.route('/', segmentRoutes(deps));
  v1.route('/', webhookRoutes(deps));
  v1.route('/', ingestRoutes(deps));
  v1.route('/', memberRoutes(deps));
  v1.route('/', preferenceCentreRoutes(deps));
  app.route('/v1', v1);
  return app;
}

/** The credentials of an `Authorization: Bearer <key>` header; the scheme name is case-insensitive (RFC 9110). */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}
