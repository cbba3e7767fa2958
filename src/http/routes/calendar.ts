import { createHmac } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { Hono, type Context } from 'hono';
import { sha256 } from '../../auth/tokens.js';
import { digestLocale, type Locale } from '../../domain/digest.js';
import { notFound } from '../../domain/errors.js';
import { write } from '../../db/repository.js';
import {
  ensureCalendarFeedInTx, findFeedOwner, listCalendarItems, resetCalendarFeedInTx, touchFeed, type CalendarFeed, type CalendarItem,
} from '../../db/queries/calendar.js';
import { encodeCalendar, ICAL_CONTENT_TYPE, type CalendarEvent } from '../../formats/ical.js';
import { actionLabel, t } from '../../mail/templates/messages.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { respondProblem } from '../problem.js';
import { problemResponses, TimestampOut } from '../schemas.js';

/** The feed shows actions from this many days back, so a missed one is still visible for a while. */
export const FEED_PAST_DAYS = 30;
export const FEED_MAX_EVENTS = 1000;
export const FEED_EVENT_MINUTES = 30;

/**
 * The feed's secret: an HMAC of the feed row's random id under the app secret. Nothing secret is
 * stored (only its sha256, to find the row), yet the URL can be shown again on every visit.
 */
export const feedToken = (secret: string, workspaceId: string, feedId: string) =>
  createHmac('sha256', secret).update(`calendar-feed:${workspaceId}:${feedId}`).digest('base64url');

const tokenRe = /^([A-Za-z0-9_-]{43})\.ics$/;

const baseUrlOf = (c: Context, deps: Deps) => (deps.config.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');

const CalendarFeedOut = z.object({
  url: z.string().openapi({ description: 'Secret https URL to subscribe to in a calendar app; anyone with it can read the feed' }),
  webcalUrl: z.string().openapi({ description: 'The same URL with the webcal: scheme, which opens the calendar app directly' }),
  createdAt: TimestampOut,
  lastUsedAt: TimestampOut.nullable().openapi({ description: 'Last time a calendar app fetched the feed (to the hour)' }),
}).openapi('CalendarFeed');

/** The events of a user's feed: one per next action or planned activity, titled "Llamada: Reforma cocina — Luis Pérez". */
export function feedEvents(items: CalendarItem[], locale: Locale, baseUrl: string): CalendarEvent[] {
  return items.map((i) => {
    const title = i.kind === 'nextAction' ? i.leadTitle : (i.leadTitle ?? i.note);
    const head = title ? `${actionLabel(locale, i.type)}: ${title}` : actionLabel(locale, i.type);
    const description = i.kind === 'nextAction' ? i.note : [i.leadTitle ? i.note : null, i.body].filter(Boolean).join('\n\n');
    return {
      uid: `${i.kind === 'nextAction' ? 'next-action' : 'activity'}-${i.id}@seguimiento`,
      start: i.at,
      durationMinutes: FEED_EVENT_MINUTES,
      summary: i.contactName ? `${head} — ${i.contactName}` : head,
      description: description?.trim() || null,
      url: i.leadId ? `${baseUrl}/leads/${i.leadId}` : null,
      sequence: i.version,
      lastModified: i.updatedAt,
    };
  });
}

/** Managing one's own feed URL (authenticated, under /api/v1). */
export function calendarRoutes(deps: Deps) {
  const r = newRouter();
  const hashFor = (workspaceId: string) => (id: string) => sha256(feedToken(deps.secret, workspaceId, id));
  const present = (c: Context<AppEnv>, feed: CalendarFeed) => {
    const url = `${baseUrlOf(c, deps)}/ical/${feedToken(deps.secret, feed.workspaceId, feed.id)}.ics`;
    return { url, webcalUrl: url.replace(/^https?:/, 'webcal:'), createdAt: feed.createdAt, lastUsedAt: feed.lastUsedAt };
  };

  r.openapi(createRoute({
    method: 'get', path: '/calendar/feed', tags: ['calendar'],
    summary: 'Your calendar feed URL (iCalendar) with your next actions and planned activities; created on first call',
    responses: { 200: { description: 'The feed URL', content: { 'application/json': { schema: CalendarFeedOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const feed = await write(deps.database, (tx) => ensureCalendarFeedInTx(tx, actor, hashFor(actor.workspaceId)));
    c.header('Cache-Control', 'no-store');
    return c.json(present(c, feed) as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/calendar/feed/reset', tags: ['calendar'],
    summary: 'Replace your calendar feed URL with a new one (the old URL stops working at once)',
    responses: { 200: { description: 'The new feed URL', content: { 'application/json': { schema: CalendarFeedOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const feed = await write(deps.database, (tx) => resetCalendarFeedInTx(tx, actor, hashFor(actor.workspaceId)));
    c.header('Cache-Control', 'no-store');
    return c.json(present(c, feed) as never, 200);
  });
  return r;
}

/**
 * The feed itself, `GET /ical/<token>.ics`. Public: calendar apps cannot log in, so the token in
 * the URL is the credential. An unknown or reset token, or a deactivated user, is a plain 404.
 */
export function calendarFeedRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  r.get('/ical/:file', async (c) => {
    const m = tokenRe.exec(c.req.param('file'));
    const owner = m ? await findFeedOwner(deps.database, sha256(m[1]!)) : null;
    if (!owner) return respondProblem(c, notFound('calendar feed'));
    const now = deps.now();
    const locale = digestLocale(owner.userLocale, owner.workspaceLocale);
    const from = new Date(now.getTime() - FEED_PAST_DAYS * 24 * 3600_000);
    const items = await listCalendarItems(deps.database, owner.workspaceId, owner.userId, from, FEED_MAX_EVENTS);
    await touchFeed(deps.database, owner, now);
    const body = encodeCalendar({
      name: t(locale, 'calendar.name', { name: owner.userName }),
      generatedAt: now,
      refreshMinutes: 60,
      events: feedEvents(items, locale, baseUrlOf(c, deps)),
    });
    return c.body(body, 200, {
      'content-type': ICAL_CONTENT_TYPE,
      'content-disposition': 'inline; filename="seguimiento.ics"',
      // The URL is a credential: keep the feed out of shared caches.
      'cache-control': 'private, max-age=300',
    });
  });
  return r;
}
