import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { AppError } from '../domain/errors.js';
import { currentSchemaVersion, latestSchemaVersion } from '../db/migrate.js';
import { newRouter, type AppEnv, type Deps } from './context.js';
import { respondProblem } from './problem.js';
import { authenticate } from './auth-middleware.js';
import { setupRoutes } from './routes/setup.js';
import { authRoutes } from './routes/auth.js';
import { companyRoutes } from './routes/companies.js';
import { contactRoutes } from './routes/contacts.js';
import { leadRoutes } from './routes/leads.js';
import { todayRoutes } from './routes/today.js';
import { savedViewRoutes } from './routes/saved-views.js';
import { segmentRoutes } from './routes/segments.js';
import { searchRoutes } from './routes/search.js';
import { scoreRoutes } from './routes/score.js';
import { portfolioRoutes } from './routes/portfolios.js';
import { calendarFeedRoutes, calendarRoutes } from './routes/calendar.js';
import { activityRoutes } from './routes/activities.js';
import { saleRoutes } from './routes/sales.js';
import { docsRoutes } from './routes/docs.js';
import { productRoutes } from './routes/products.js';
import { sourceRoutes } from './routes/sources.js';
import { campaignRoutes } from './routes/campaigns.js';
import { userRoutes } from './routes/users.js';
import { teamRoutes } from './routes/teams.js';
import { pipelineRoutes } from './routes/pipelines.js';
import { customFieldRoutes } from './routes/custom-fields.js';
import { apiTokenRoutes } from './routes/api-tokens.js';
import { workspaceRoutes } from './routes/workspace.js';
import { auditRoutes } from './routes/audit.js';
import { followUpRoutes } from './routes/follow-ups.js';
import { feedbackRoutes } from './routes/feedback.js';
import { complaintRoutes } from './routes/complaints.js';
import { satisfactionLinkRoutes, satisfactionPageRoutes } from './routes/satisfaction.js';
import { weeklySummaryRoutes, weeklySummaryUnsubscribeRoutes } from './routes/weekly-summary.js';
import { notificationRoutes } from './routes/notifications.js';
import { jobRoutes } from './routes/jobs.js';
import { privacyRoutes } from './routes/privacy.js';
import { metricRoutes } from './routes/metrics.js';
import { objectiveRoutes } from './routes/objectives.js';
import { funnelRoutes } from './routes/funnel.js';
import { duplicateRoutes } from './routes/duplicates.js';
import { captureRoutes } from './routes/capture.js';
import { exportRoutes } from './routes/exports.js';
import { webhookRoutes } from './routes/webhooks.js';
import { webFormPublicRoutes, webFormRoutes } from './routes/web-forms.js';
import { importRoutes } from './routes/imports.js';
import { serveWeb } from './web.js';

/** Resource routers mounted under /api/v1 behind authentication. Add new resources here. */
const protectedRouters = [importRoutes, duplicateRoutes, webFormRoutes, exportRoutes, webhookRoutes, captureRoutes, metricRoutes, weeklySummaryRoutes, objectiveRoutes, funnelRoutes, notificationRoutes, jobRoutes, privacyRoutes, companyRoutes, calendarRoutes, activityRoutes, saleRoutes,
  productRoutes, sourceRoutes, campaignRoutes, userRoutes, teamRoutes, pipelineRoutes, customFieldRoutes, apiTokenRoutes, workspaceRoutes, auditRoutes,
  followUpRoutes, feedbackRoutes, complaintRoutes, satisfactionLinkRoutes, contactRoutes, leadRoutes, todayRoutes, savedViewRoutes, searchRoutes, scoreRoutes, portfolioRoutes, segmentRoutes];

export function buildApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use('*', secureHeaders({
    // A page that sets its own policy keeps it (the embeddable web form may be framed by any site).
    overwrite: false,
    contentSecurityPolicy: {
      defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'], connectSrc: ["'self'"], frameAncestors: ["'none'"], objectSrc: ["'none'"],
    },
  }));
  const jsonBodyLimit = bodyLimit({
    maxSize: deps.config.bodyLimitBytes,
    onError: (c) => respondProblem(c, new AppError('payload_too_large', `The body is larger than ${deps.config.bodyLimitBytes} bytes.`)),
  });
  // An import upload streams to disk under its own limit (IMPORT_MAX_BYTES, checked by the route).
  app.use('/api/*', (c, next) => (c.req.method === 'POST' && c.req.path === '/api/v1/imports' ? next() : jsonBodyLimit(c, next)));

  app.get('/api/health', async (c) => {
    const schemaVersion = await currentSchemaVersion(deps.database);
    return c.json({ status: 'ok', engine: deps.database.engine, schemaVersion, expectedSchemaVersion: latestSchemaVersion() });
  });

  const api = newRouter();
  api.route('/', setupRoutes(deps));
  api.route('/', authRoutes(deps));
  const secured = newRouter();
  secured.use('*', authenticate(deps));
  for (const make of protectedRouters) secured.route('/', make(deps));
  api.route('/', secured);
  app.route('/api/v1', api);
  app.route('/api', docsRoutes(api));
  // Public: the client answers a satisfaction link without an account; the token in the URL authenticates it.
  app.route('/', satisfactionPageRoutes(deps));
  // Public: the weekly summary's one-click unsubscribe link; its signed token authenticates it.
  app.route('/', weeklySummaryUnsubscribeRoutes(deps));
  // Public: calendar apps cannot log in; the secret token in the URL authenticates the feed.
  app.route('/', calendarFeedRoutes(deps));
  // Public: anyone may fill in a published web form; its unguessable public id names it.
  app.route('/', webFormPublicRoutes(deps));

  app.all('/api/*', (c) => respondProblem(c, new AppError('not_found', `No route ${c.req.method} ${c.req.path}.`)));
  serveWeb(app);

  app.onError((err, c) => {
    if (err instanceof AppError) return respondProblem(c, err);
    if (err instanceof SyntaxError && /JSON/i.test(err.message)) {
      return respondProblem(c, new AppError('validation', 'The body is not valid JSON.', [{ field: '(body)', code: 'invalid_json', message: err.message }]));
    }
    const status = (err as { status?: number }).status;
    if (status === 400) return respondProblem(c, new AppError('validation', err.message));
    console.error('unhandled error', c.req.method, c.req.path, err);
    return c.body(JSON.stringify({ type: 'about:blank', title: 'Internal error', status: 500, detail: 'Something went wrong on our side; it has been logged.', code: 'internal' }), 500, { 'content-type': 'application/problem+json' });
  });
  return app;
}
