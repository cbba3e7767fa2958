import { createRoute, z } from '@hono/zod-openapi';
import { countUnread, listNotifications, markAllNotificationsRead, markNotificationRead } from '../../db/queries/notifications.js';
import { fieldError, notFound } from '../../domain/errors.js';
import { newRouter, type Deps } from '../context.js';
import { IdParam, problemResponses, TimestampOut, Uuid } from '../schemas.js';

export const NotificationOut = z.object({
  id: Uuid, kind: z.string(), title: z.string(), body: z.string().nullable(), link: z.string().nullable(),
  createdAt: TimestampOut, readAt: TimestampOut.nullable(),
}).openapi('Notification');

const ListQuery = z.strictObject({
  unread: z.enum(['true', 'false']).optional().openapi({ description: 'true for unread notifications only' }),
  limit: z.string().regex(/^\d+$/).optional().openapi({ description: 'Page size, 1–200 (default 50)' }),
  cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
});

/** Keyset cursor over (created_at, id), newest first; shared with the jobs list. */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

/** A PostgreSQL timestamptz as text (`2026-11-23 09:30:00.123456+01`) or ISO 8601. */
const timestampText = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;

export function decodeCursor(cursor: string | undefined, isId: (s: string) => boolean): { createdAt: string; id: string } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && timestampText.test(v[0]) && typeof v[1] === 'string' && isId(v[1])) {
      return { createdAt: v[0], id: v[1] };
    }
  } catch { /* fall through */ }
  throw fieldError('cursor', 'invalid_cursor', 'The cursor is not one this API returned.');
}

export function pageLimit(raw: string | undefined, max: number): number {
  const limit = raw === undefined ? 50 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw fieldError('limit', 'out_of_range', `limit must be an integer from 1 to ${max}.`);
  return limit;
}

const present = (n: { id: string; kind: string; title: string; body: string | null; link: string | null; createdAt: Date; readAt: Date | null }) => ({
  id: n.id, kind: n.kind, title: n.title, body: n.body, link: n.link, createdAt: n.createdAt, readAt: n.readAt,
});

/** In-app notifications: each user reads and marks only their own. */
export function notificationRoutes(deps: Deps) {
  const r = newRouter();

  r.openapi(createRoute({
    method: 'get', path: '/notifications', tags: ['notifications'], summary: 'Your notifications, newest first',
    request: { query: ListQuery },
    responses: {
      200: { description: 'A page', content: { 'application/json': { schema: z.object({ data: z.array(NotificationOut), nextCursor: z.string().nullable(), unreadCount: z.number().int() }) } } },
      ...problemResponses,
    },
  }), async (c) => {
    const actor = c.get('actor');
    const q = c.req.valid('query');
    const limit = pageLimit(q.limit, 200);
    const before = decodeCursor(q.cursor, (s) => Uuid.safeParse(s).success);
    const page = await listNotifications(deps.database, actor.workspaceId, actor.userId, { unreadOnly: q.unread === 'true', limit, before });
    const last = page.data.at(-1);
    return c.json({
      data: page.data.map(present),
      nextCursor: page.hasMore && last ? encodeCursor(last.cursorAt, last.id) : null,
      unreadCount: await countUnread(deps.database, actor.workspaceId, actor.userId),
    } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/notifications/read-all', tags: ['notifications'], summary: 'Mark all your notifications read',
    responses: { 200: { description: 'How many were unread', content: { 'application/json': { schema: z.object({ updated: z.number().int() }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    return c.json({ updated: await markAllNotificationsRead(deps.database, actor.workspaceId, actor.userId, deps.now()) }, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/notifications/{id}/read', tags: ['notifications'], summary: 'Mark one of your notifications read',
    request: { params: IdParam },
    responses: { 200: { description: 'The notification', content: { 'application/json': { schema: NotificationOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const n = await markNotificationRead(deps.database, actor.workspaceId, actor.userId, c.req.valid('param').id, deps.now());
    if (!n) throw notFound('notification');
    return c.json(present(n) as never, 200);
  });

  return r;
}
