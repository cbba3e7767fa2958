import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database, Db } from '../client.js';
import { leadOfDoNotContact } from './today.js';

// tx.execute answers { rows } on both drivers; its declared type differs per driver.
const rowsOf = <T>(res: unknown) => (res as { rows: T[] }).rows;

export type NotificationRow = {
  id: string; userId: string; kind: string; title: string; body: string | null; link: string | null;
  createdAt: Date; readAt: Date | null;
};

export type NewNotification = {
  workspaceId: string;
  userId: string;
  /** Machine kind (`job_failed`, `overdue_next_actions`…) the UI may use for an icon or a filter. */
  kind: string;
  title: string;
  body?: string | null;
  link?: string | null;
  /**
   * Makes creation idempotent: the same key for the same user gives the same notification id, so a
   * job retried after a crash does not notify twice. Without a key every call notifies.
   */
  dedupeKey?: string;
};

/** A stable uuid from a key (the first 128 bits of its SHA-256, shaped as a version 8 uuid). */
export function uuidFromKey(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Creates an in-app notification for one user, in the caller's transaction when given one (so the
 * notification commits with the change it reports). Returns false when the dedupe key was used.
 */
export async function createNotification(tx: Db, n: NewNotification): Promise<boolean> {
  const id = n.dedupeKey ? uuidFromKey(`${n.userId}:${n.dedupeKey}`) : null;
  const res = await tx.execute(sql`
    INSERT INTO notification (workspace_id, id, user_id, kind, title, body, link)
    VALUES (${n.workspaceId}, coalesce(${id}::uuid, gen_random_uuid()), ${n.userId}, ${n.kind}, ${n.title}, ${n.body ?? null}, ${n.link ?? null})
    ON CONFLICT (workspace_id, id) DO NOTHING
    RETURNING id`);
  return rowsOf(res).length > 0;
}

/** The active admins of a workspace, with the language to write to them in. */
export async function activeAdmins(tx: Db, workspaceId: string): Promise<{ id: string; locale: 'es' | 'en' }[]> {
  const res = await tx.execute(sql`
    SELECT u.id, coalesce(u.locale, w.locale) AS locale
      FROM app_user u JOIN workspace w ON w.id = u.workspace_id
     WHERE u.workspace_id = ${workspaceId} AND u.role = 'admin' AND u.is_active
     ORDER BY u.created_at, u.id`);
  return rowsOf<{ id: string; locale: string }>(res).map((r) => ({ id: r.id, locale: r.locale === 'en' ? 'en' : 'es' }));
}

const columns = `id, user_id AS "userId", kind, title, body, link, created_at AS "createdAt", read_at AS "readAt"`;

/**
 * One user's notifications, newest first, keyset-paginated on (created_at, id). Only ever the
 * user's own: there is no way to read someone else's.
 */
export async function listNotifications(
  d: Database, workspaceId: string, userId: string,
  opts: { unreadOnly: boolean; limit: number; before?: { createdAt: string; id: string } | undefined },
): Promise<{ data: (NotificationRow & { cursorAt: string })[]; hasMore: boolean }> {
  const params: unknown[] = [workspaceId, userId];
  const where = ['workspace_id = $1', 'user_id = $2'];
  if (opts.unreadOnly) where.push('read_at IS NULL');
  if (opts.before) {
    params.push(opts.before.createdAt, opts.before.id);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  // cursorAt is created_at in full (microsecond) precision: a JS Date would round it to milliseconds
  // and the next page would skip rows created within the same millisecond.
  const rows = await d.query<NotificationRow & { cursorAt: string }>(
    `SELECT ${columns}, created_at::text AS "cursorAt" FROM notification WHERE ${where.join(' AND ')}
      ORDER BY created_at DESC, id DESC LIMIT ${opts.limit + 1}`, params);
  return { data: rows.slice(0, opts.limit), hasMore: rows.length > opts.limit };
}

export async function countUnread(d: Database, workspaceId: string, userId: string): Promise<number> {
  const rows = await d.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM notification WHERE workspace_id = $1 AND user_id = $2 AND read_at IS NULL', [workspaceId, userId]);
  return rows[0]?.n ?? 0;
}

/**
 * Marks one of the user's notifications read (keeping the first read time). Null when the user has
 * no such notification, whether it does not exist or belongs to someone else.
 */
export async function markNotificationRead(d: Database, workspaceId: string, userId: string, id: string, now: Date): Promise<NotificationRow | null> {
  const rows = await d.query<NotificationRow>(
    `UPDATE notification SET read_at = coalesce(read_at, $4::timestamptz)
      WHERE workspace_id = $1 AND user_id = $2 AND id = $3 RETURNING ${columns}`,
    [workspaceId, userId, id, now.toISOString()]);
  return rows[0] ?? null;
}

/** Marks all the user's unread notifications read; answers how many changed. */
export async function markAllNotificationsRead(d: Database, workspaceId: string, userId: string, now: Date): Promise<number> {
  const rows = await d.query<{ id: string }>(
    `UPDATE notification SET read_at = $3::timestamptz
      WHERE workspace_id = $1 AND user_id = $2 AND read_at IS NULL RETURNING id`,
    [workspaceId, userId, now.toISOString()]);
  return rows.length;
}

/** Deletes read notifications older than `before`; part of the daily retention run. */
export async function deleteOldNotifications(tx: Db, workspaceId: string, before: Date): Promise<number> {
  const res = await tx.execute(sql`
    DELETE FROM notification WHERE workspace_id = ${workspaceId} AND read_at IS NOT NULL AND created_at < ${before.toISOString()}::timestamptz
    RETURNING id`);
  return rowsOf(res).length;
}

/** Open leads owned by the user whose next action is before `now` (what "overdue" means on Today). */
export async function countOverdueNextActions(d: Database, workspaceId: string, userId: string, now: Date): Promise<number> {
  const rows = await d.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM lead
      WHERE workspace_id = $1 AND owner_id = $2 AND status = 'open' AND next_action_at < $3::timestamptz
        AND NOT ${leadOfDoNotContact}`,
    [workspaceId, userId, now.toISOString()]);
  return rows[0]?.n ?? 0;
}

/** The language to write to a user in: theirs, else the workspace's. */
export async function userLocale(d: Database, workspaceId: string, userId: string): Promise<'es' | 'en' | null> {
  const rows = await d.query<{ locale: string }>(
    `SELECT coalesce(u.locale, w.locale) AS locale FROM app_user u JOIN workspace w ON w.id = u.workspace_id
      WHERE u.workspace_id = $1 AND u.id = $2 AND u.is_active`, [workspaceId, userId]);
  const l = rows[0]?.locale;
  return l === undefined ? null : l === 'en' ? 'en' : 'es';
}
