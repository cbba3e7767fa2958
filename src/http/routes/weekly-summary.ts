import { createRoute, z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { write } from '../../db/repository.js';
import { findSummaryRecipient, isWeeklySummaryOptedOut, setWeeklySummaryOptOut } from '../../db/queries/weekly-summary.js';
import { digestLocale } from '../../domain/digest.js';
import { escapeHtml } from '../../mail/templates/digest.js';
import { t } from '../../mail/templates/messages.js';
import { readUnsubscribeToken, UNSUBSCRIBE_PATH } from '../../mail/unsubscribe.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { problemResponses } from '../schemas.js';

const Subscription = z.object({
  subscribed: z.boolean().openapi({ description: 'Whether the weekly summary email is sent to this user' }),
  eligible: z.boolean().openapi({ description: 'Whether the user gets it at all (managers and admins)' }),
}).openapi('WeeklySummarySubscription');
const SubscriptionPatch = z.strictObject({ subscribed: z.boolean() }).openapi('WeeklySummarySubscriptionPatch');

/** The logged-in user's own weekly summary subscription (Settings). */
export function weeklySummaryRoutes(deps: Deps) {
  const r = newRouter();
  const answer = async (workspaceId: string, userId: string, role: string) =>
    ({ subscribed: !(await isWeeklySummaryOptedOut(deps.database, workspaceId, userId)), eligible: role !== 'sales' });

  r.openapi(createRoute({
    method: 'get', path: '/weekly-summary/subscription', tags: ['metrics'], summary: 'Whether I get the weekly summary email',
    responses: { 200: { description: 'Subscription', content: { 'application/json': { schema: Subscription } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    return c.json(await answer(actor.workspaceId, actor.userId, actor.role), 200);
  });

  r.openapi(createRoute({
    method: 'put', path: '/weekly-summary/subscription', tags: ['metrics'], summary: 'Turn my weekly summary email off or back on',
    request: { body: { content: { 'application/json': { schema: SubscriptionPatch } }, required: true } },
    responses: { 200: { description: 'Subscription', content: { 'application/json': { schema: Subscription } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { subscribed } = c.req.valid('json');
    await write(deps.database, (tx) => setWeeklySummaryOptOut(tx, { workspaceId: actor.workspaceId, userId: actor.userId, actorId: actor.userId, optedOut: !subscribed, via: 'settings' }));
    return c.json(await answer(actor.workspaceId, actor.userId, actor.role), 200);
  });
  return r;
}

const noStore = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

function page(locale: 'es' | 'en', body: string): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t(locale, 'unsubscribe.title'))}</title></head>
<body style="font-family: -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; color: #1f2933; max-width: 480px; margin: 0 auto; padding: 24px 16px;">
<h1 style="font-size: 20px;">${escapeHtml(t(locale, 'unsubscribe.title'))}</h1>${body}</body></html>`;
}


/**
 * Public: the unsubscribe link of the weekly summary email. A GET only asks (link scanners and
 * previews fetch links); the POST — the page's button, or the mail client's one-click request with
 * `List-Unsubscribe=One-Click` (RFC 8058) — turns the email off. The signed token is the authority.
 */
export function weeklySummaryUnsubscribeRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  r.use(`${UNSUBSCRIBE_PATH}/*`, bodyLimit({ maxSize: 4 * 1024, onError: (c) => c.text('Payload too large', 413) }));
  const lookup = async (token: string) => {
    const claims = readUnsubscribeToken(deps.secret, token);
    const to = claims ? await findSummaryRecipient(deps.database, claims.workspaceId, claims.userId) : null;
    return claims && to ? { claims, to, locale: digestLocale(to.locale, to.workspaceLocale) } : null;
  };

  r.get(`${UNSUBSCRIBE_PATH}/:token`, async (c) => {
    const found = await lookup(c.req.param('token'));
    if (!found) return c.html(page('es', `<p>${escapeHtml(t('es', 'unsubscribe.invalid'))}</p>`), 404, noStore);
    const { locale } = found;
    return c.html(page(locale, `<p>${escapeHtml(t(locale, 'unsubscribe.confirm', { workspace: found.to.workspaceName, email: found.to.email }))}</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" style="font-size: 16px; padding: 8px 16px;">${escapeHtml(t(locale, 'unsubscribe.button'))}</button></form>`), 200, noStore);
  });

  r.post(`${UNSUBSCRIBE_PATH}/:token`, async (c) => {
    const found = await lookup(c.req.param('token'));
    if (!found) return c.html(page('es', `<p>${escapeHtml(t('es', 'unsubscribe.invalid'))}</p>`), 404, noStore);
    const { workspaceId, userId } = found.claims;
    await write(deps.database, (tx) => setWeeklySummaryOptOut(tx, { workspaceId, userId, actorId: userId, optedOut: true, via: 'email' }));
    return c.html(page(found.locale, `<p>${escapeHtml(t(found.locale, 'unsubscribe.done', { email: found.to.email }))}</p>`), 200, noStore);
  });
  return r;
}
