import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import type { Database, Db } from '../client.js';
import { recordAudit } from '../audit.js';

// A user's agenda outside the app: the iCalendar feed, and the lookups of the morning digest email
// (whose sections themselves come from the Today queries, src/db/queries/today.ts).

// tx.execute answers { rows } on both drivers; its declared type differs per driver.
const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;

// Raw rows from the Drizzle drivers carry timestamps as text (Drizzle parses per column, and raw SQL has none).
const asDate = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const feedOf = (r: CalendarFeed): CalendarFeed => ({ ...r, createdAt: asDate(r.createdAt)!, lastUsedAt: asDate(r.lastUsedAt) });

export type CalendarFeed = { workspaceId: string; id: string; userId: string; tokenHash: string; createdAt: Date; lastUsedAt: Date | null };

const feedCols = sql`workspace_id AS "workspaceId", id, user_id AS "userId", token_hash AS "tokenHash",
  created_at AS "createdAt", last_used_at AS "lastUsedAt"`;

/**
 * The actor's feed, created on first use. `hashFor(id)` gives the token hash of a feed id (the token
 * is derived from the app secret, which this layer does not see). When the stored hash no longer
 * matches — the app secret was changed — it is brought up to date, so the old URLs stop working and
 * the URL shown is the one that works.
 */
export async function ensureCalendarFeedInTx(tx: Db, actor: Actor, hashFor: (id: string) => string): Promise<CalendarFeed> {
  const found = rowsOf<CalendarFeed>(await tx.execute(sql`SELECT ${feedCols} FROM calendar_feed
    WHERE workspace_id = ${actor.workspaceId} AND user_id = ${actor.userId} FOR UPDATE`))[0];
  if (found) {
    const hash = hashFor(found.id);
    if (hash === found.tokenHash) return feedOf(found);
    const rows = rowsOf<CalendarFeed>(await tx.execute(sql`UPDATE calendar_feed SET token_hash = ${hash}
      WHERE workspace_id = ${actor.workspaceId} AND id = ${found.id} RETURNING ${feedCols}`));
    await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity: 'calendar_feed', entityId: found.id, action: 'rekey', meta: { userId: actor.userId } });
    return feedOf(rows[0]!);
  }
  const id = randomUUID();
  // Two first requests at once: the second inserts nothing and reads the first one's row.
  const inserted = rowsOf<CalendarFeed>(await tx.execute(sql`INSERT INTO calendar_feed (workspace_id, id, user_id, token_hash)
    VALUES (${actor.workspaceId}, ${id}, ${actor.userId}, ${hashFor(id)})
    ON CONFLICT (workspace_id, user_id) DO NOTHING RETURNING ${feedCols}`))[0];
  if (!inserted) return ensureCalendarFeedInTx(tx, actor, hashFor);
  // The audit trail records that a feed exists, never its token or hash.
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity: 'calendar_feed', entityId: id, action: 'create', meta: { userId: actor.userId } });
  return feedOf(inserted);
}

/** Replaces the actor's feed with a new one (new id, so a new token): the old URL answers 404 from now on. */
export async function resetCalendarFeedInTx(tx: Db, actor: Actor, hashFor: (id: string) => string): Promise<CalendarFeed> {
  const old = rowsOf<{ id: string }>(await tx.execute(sql`DELETE FROM calendar_feed
    WHERE workspace_id = ${actor.workspaceId} AND user_id = ${actor.userId} RETURNING id`))[0];
  const id = randomUUID();
  const rows = rowsOf<CalendarFeed>(await tx.execute(sql`INSERT INTO calendar_feed (workspace_id, id, user_id, token_hash)
    VALUES (${actor.workspaceId}, ${id}, ${actor.userId}, ${hashFor(id)}) RETURNING ${feedCols}`));
  await recordAudit(tx, {
    workspaceId: actor.workspaceId, userId: actor.userId, entity: 'calendar_feed', entityId: id, action: 'reset',
    meta: { userId: actor.userId, replaced: old?.id ?? null },
  });
  return feedOf(rows[0]!);
}

export type FeedOwner = {
  workspaceId: string;
  feedId: string;
  userId: string;
  userName: string;
  userLocale: string | null;
  workspaceLocale: string;
  timeZone: string;
  lastUsedAt: Date | null;
};

/**
 * The feed a token hash opens, with its owner, if the owner is still active. This is the one query
 * not filtered by a known workspace: the URL is all a calendar app has, and the hash is unique
 * across the installation.
 */
export async function findFeedOwner(d: Database, tokenHash: string): Promise<FeedOwner | null> {
  const rows = await d.query<FeedOwner>(
    `SELECT f.workspace_id AS "workspaceId", f.id AS "feedId", f.user_id AS "userId", u.name AS "userName",
            u.locale AS "userLocale", w.locale AS "workspaceLocale", w.time_zone AS "timeZone", f.last_used_at AS "lastUsedAt"
       FROM calendar_feed f
       JOIN app_user u ON u.workspace_id = f.workspace_id AND u.id = f.user_id AND u.is_active
       JOIN workspace w ON w.id = f.workspace_id
      WHERE f.token_hash = $1`, [tokenHash], 'calendar_feed_owner');
  return rows[0] ?? null;
}

/** Records that a calendar app fetched the feed, at most once an hour (a GET should rarely write). */
export async function touchFeed(d: Database, owner: FeedOwner, now: Date): Promise<void> {
  if (owner.lastUsedAt && now.getTime() - owner.lastUsedAt.getTime() < 3600_000) return;
  await d.query('UPDATE calendar_feed SET last_used_at = $3 WHERE workspace_id = $1 AND id = $2', [owner.workspaceId, owner.feedId, now]);
}

export type CalendarItem = {
  kind: 'nextAction' | 'activity';
  id: string;
  leadId: string | null;
  leadTitle: string | null;
  /** The contact's name, or the company's when the action has no contact. */
  contactName: string | null;
  /** Null only for a next action stored without a type (imported data). */
  type: string | null;
  at: Date;
  /** The next action's note; for a planned activity, its subject. */
  note: string | null;
  body: string | null;
  version: number;
  updatedAt: Date;
};

/** Who the action is with: the contact's full name, or the company's name when there is no contact. */
const contactName = (alias: string) => `coalesce(
      (SELECT concat_ws(' ', c.first_name, c.last_name, c.second_last_name) FROM contact c
        WHERE c.workspace_id = ${alias}.workspace_id AND c.id = ${alias}.contact_id),
      (SELECT co.name FROM company co WHERE co.workspace_id = ${alias}.workspace_id AND co.id = ${alias}.company_id))`;

/**
 * A user's next actions (open leads they own) and planned activities (assigned to them, not done)
 * from `from` onwards, in time order. The lead part walks lead_owner_next_action_idx (its sort
 * expression, bounded below and above), the activity part activity_user_due_idx; exported so a
 * test can EXPLAIN exactly what the feed runs.
 */
export function calendarItemsQuery(workspaceId: string, userId: string, from: Date, limit: number): { text: string; params: unknown[] } {
  return {
    // Each branch is ordered and limited on its own index's order, so neither reads more than
    // `limit` rows whatever the user's history; the outer sort merges at most twice that.
    text: `SELECT * FROM (
       (SELECT 'nextAction' AS kind, l.id, l.id AS "leadId", l.title AS "leadTitle", ${contactName('l')} AS "contactName",
               l.next_action_type AS type, l.next_action_at AS at, l.next_action_note AS note, NULL AS body,
               l.version, l.updated_at AS "updatedAt"
          FROM lead l
         WHERE l.workspace_id = $1 AND l.owner_id = $2 AND l.status = 'open'
           AND coalesce(l.next_action_at, 'infinity'::timestamptz) >= $3
           AND coalesce(l.next_action_at, 'infinity'::timestamptz) < 'infinity'::timestamptz
         ORDER BY coalesce(l.next_action_at, 'infinity'::timestamptz), l.id
         LIMIT $4)
       UNION ALL
       (SELECT 'activity', a.id, a.lead_id, (SELECT l.title FROM lead l WHERE l.workspace_id = a.workspace_id AND l.id = a.lead_id),
               ${contactName('a')}, a.type, a.due_at, a.subject, a.body, a.version, a.updated_at
          FROM activity a
         WHERE a.workspace_id = $1 AND a.user_id = $2 AND a.done_at IS NULL AND a.due_at >= $3
         ORDER BY a.due_at, a.id
         LIMIT $4)
     ) items
     ORDER BY at, id
     LIMIT $4`,
    params: [workspaceId, userId, from, limit],
  };
}

export async function listCalendarItems(d: Database, workspaceId: string, userId: string, from: Date, limit: number): Promise<CalendarItem[]> {
  const q = calendarItemsQuery(workspaceId, userId, from, limit);
  return d.query<CalendarItem>(q.text, q.params, 'calendar_items');
}

export type DigestRecipient = {
  email: string;
  name: string;
  locale: string | null;
  isActive: boolean;
  workspaceName: string;
  workspaceLocale: string;
  timeZone: string;
};

/** Who a digest goes to and the workspace clock and language it is written in. */
export async function findDigestRecipient(d: Database, workspaceId: string, userId: string): Promise<DigestRecipient | null> {
  const rows = await d.query<DigestRecipient>(
    `SELECT u.email, u.name, u.locale, u.is_active AS "isActive", w.name AS "workspaceName", w.locale AS "workspaceLocale",
            w.time_zone AS "timeZone"
       FROM app_user u JOIN workspace w ON w.id = u.workspace_id
      WHERE u.workspace_id = $1 AND u.id = $2`, [workspaceId, userId], 'digest_recipient');
  return rows[0] ?? null;
}

/** For planned activities listed by id: the title of their lead and the name of their contact. */
export async function describeActivities(d: Database, workspaceId: string, ids: string[]): Promise<Map<string, { leadTitle: string | null; contactName: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await d.query<{ id: string; leadTitle: string | null; contactName: string | null }>(
    `SELECT a.id, (SELECT l.title FROM lead l WHERE l.workspace_id = a.workspace_id AND l.id = a.lead_id) AS "leadTitle",
            ${contactName('a')} AS "contactName"
       FROM activity a
      WHERE a.workspace_id = $1 AND a.id = ANY($2::uuid[])`, [workspaceId, ids], 'describe_activities');
  return new Map(rows.map((r) => [r.id, { leadTitle: r.leadTitle, contactName: r.contactName }]));
}
