import { and, eq } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { assertCanAssign, canSee } from '../../domain/access.js';
import { fieldError, forbidden, notFound } from '../../domain/errors.js';
import type { FeedbackChannel } from '../../domain/feedback.js';
import {
  activityTypeForChannel, completeFollowUp, defaultFollowUpDue, followUpWindowOf, isFollowUpWindowOpen, reviseFollowUp, type FollowUpStatus, type FollowUpWindow,
} from '../../domain/follow-up.js';
import { isValidTimeZone } from '../../domain/today.js';
import type { Database, Db } from '../client.js';
import { buildListQuery, runList, selectList, type ListParams, type ListSpec, type Page } from '../list.js';
import { findRow, insertRow, updateRow } from '../repository.js';
import { appUser, followUp, followUpStatuses, workspace } from '../schema.js';
import { logActivity } from './activities.js';
import { findSaleRef, recordFeedbackInTx } from './feedback.js';
import { managedUserIdsInTx } from './users.js';

type AnyRow = Record<string, unknown>;


/** The workspace's follow-up window in its time zone (and its locale), read in the caller's transaction. */
export async function workspaceFollowUpWindow(tx: Db, workspaceId: string): Promise<FollowUpWindow & { locale: string }> {
  const rows = await tx.select({ timeZone: workspace.timeZone, settings: workspace.settings, locale: workspace.locale }).from(workspace).where(eq(workspace.id, workspaceId));
  const w = rows[0];
  const timeZone = w && isValidTimeZone(w.timeZone) ? w.timeZone : 'UTC';
  return { ...followUpWindowOf(w?.settings, timeZone), locale: w?.locale ?? 'es' };
}

// The activity is client history read by people, so it is written in the workspace's language.
const activityText = {
  es: { subject: 'Seguimiento post-venta', satisfaction: 'satisfacción' },
  en: { subject: 'Post-sale follow-up', satisfaction: 'satisfaction' },
} as const;

export type SaleForFollowUp = { id: string; contactId?: string | null; ownerId?: string | null; soldAt: Date; createdAt?: Date };

/**
 * Plans the post-sale follow-up of a sale just recorded, in the same transaction: due on the first
 * day of the workspace window at its due time, for the seller (the sale's owner). A sale whose
 * window has already closed when it is recorded (`now`, default: when the row was created) gets
 * none, and null is returned.
 */
export async function scheduleFollowUpInTx(tx: Db, actor: Actor, s: SaleForFollowUp, now?: Date): Promise<AnyRow | null> {
  const w = await workspaceFollowUpWindow(tx, actor.workspaceId);
  const soldAt = new Date(s.soldAt);
  if (!isFollowUpWindowOpen(soldAt, now ?? s.createdAt ?? new Date(), w)) return null;
  return insertRow(tx, followUp, actor, 'followUp', {
    saleId: s.id, contactId: s.contactId ?? null, userId: s.ownerId ?? actor.userId,
    dueAt: defaultFollowUpDue(soldAt, w), status: 'planned',
  });
}

/**
 * Follow-ups are the seller's, like leads are their owner's: sales see their own, managers their
 * teams', admins all. The list reuses the lead visibility rule by exposing user_id as owner_id.
 */
const scopedFrom = `(SELECT f.*, f.user_id AS owner_id, '{}'::uuid[] AS shared_with FROM follow_up f) follow_up`;

export const followUpSelect = `${selectList(followUp)},
  (SELECT concat_ws(' ', c.first_name, c.last_name, c.second_last_name) FROM contact c
    WHERE c.workspace_id = follow_up.workspace_id AND c.id = follow_up.contact_id) AS "contactName",
  (SELECT u.name FROM app_user u WHERE u.workspace_id = follow_up.workspace_id AND u.id = follow_up.user_id) AS "userName",
  (SELECT s.sold_at FROM sale s WHERE s.workspace_id = follow_up.workspace_id AND s.id = follow_up.sale_id) AS "soldAt",
  (SELECT s.total FROM sale s WHERE s.workspace_id = follow_up.workspace_id AND s.id = follow_up.sale_id) AS "saleTotal"`;

export const followUpList: ListSpec = {
  table: followUp,
  scope: 'owned',
  filters: {
    userId: { kind: 'in', column: 'user_id', type: 'uuid' },
    status: { kind: 'enum', column: 'status', values: followUpStatuses },
    saleId: { kind: 'in', column: 'sale_id', type: 'uuid' },
    contactId: { kind: 'in', column: 'contact_id', type: 'uuid' },
    dueFrom: { kind: 'gte', column: 'due_at', type: 'timestamp' },
    dueTo: { kind: 'lt', column: 'due_at', type: 'timestamp' },
  },
  sorts: {
    dueAt: { expr: 'due_at', type: 'timestamp' },
    createdAt: { expr: 'created_at', type: 'timestamp' },
  },
  defaultSort: 'dueAt',
};

/** The list statement; exported so tests can EXPLAIN exactly what the API runs. */
export const buildFollowUpListQuery = (actor: Actor, params: ListParams) => buildListQuery(followUpList, actor, params, { select: followUpSelect, from: scopedFrom });

export async function listFollowUps(database: Database, actor: Actor, params: ListParams): Promise<Page<AnyRow>> {
  return runList<AnyRow>(database, buildFollowUpListQuery(actor, params));
}


async function assertFollowUpVisible(tx: Db, actor: Actor, row: AnyRow): Promise<void> {
  if (actor.role === 'admin') return;
  if (!canSee(actor, { ownerId: (row['userId'] as string | null) ?? null }, await managedUserIdsInTx(tx, actor))) {
    throw forbidden('This follow-up belongs to someone else.');
  }
}

/** One follow-up in its API shape; 404 outside the workspace, 403 outside the actor's scope. */
export async function getFollowUpView(database: Database, actor: Actor, id: string): Promise<AnyRow> {
  const rows = await database.query(`SELECT ${followUpSelect} FROM follow_up WHERE workspace_id = $1 AND id = $2`, [actor.workspaceId, id]);
  const row = rows[0];
  if (!row) throw notFound('followUp');
  await assertFollowUpVisible(database.db, actor, row);
  return row;
}

async function lockFollowUp(tx: Db, actor: Actor, id: string): Promise<AnyRow> {
  const row = await findRow(tx, followUp, actor.workspaceId, id, 'followUp', true);
  await assertFollowUpVisible(tx, actor, row);
  return row;
}

export type FollowUpPatch = { dueAt?: Date; status?: FollowUpStatus; userId?: string; outcome?: string | null };

/**
 * Moves, reassigns, cancels or re-plans a follow-up. The window checked is the workspace's as it is
 * now, so after an admin widens it a follow-up can be moved further.
 */
export async function updateFollowUpInTx(tx: Db, actor: Actor, id: string, patch: FollowUpPatch, expected: number | undefined): Promise<AnyRow> {
  const before = await lockFollowUp(tx, actor, id);
  const s = await findSaleRef(tx, actor.workspaceId, before['saleId'] as string);
  const w = await workspaceFollowUpWindow(tx, actor.workspaceId);
  const values: AnyRow = reviseFollowUp({ status: before['status'] as FollowUpStatus, dueAt: before['dueAt'] as Date, soldAt: s.soldAt }, {
    ...(patch.dueAt !== undefined ? { dueAt: patch.dueAt } : {}), ...(patch.status !== undefined ? { status: patch.status } : {}),
  }, w);
  if (patch.userId !== undefined && patch.userId !== before['userId']) {
    assertCanAssign(actor, (before['userId'] as string | null) ?? null, patch.userId);
    const u = await tx.select({ id: appUser.id }).from(appUser).where(and(eq(appUser.workspaceId, actor.workspaceId), eq(appUser.id, patch.userId)));
    if (!u[0]) throw fieldError('userId', 'not_found', 'No such user in this workspace.');
    values['userId'] = patch.userId;
  }
  if (patch.outcome !== undefined) values['outcome'] = patch.outcome;
  return updateRow(tx, followUp, actor, 'followUp', before, values, expected);
}

export type CompleteFollowUpInput = {
  channel: FeedbackChannel;
  nps?: number | null;
  satisfaction?: number | null;
  comment?: string | null;
  outcome?: string | null;
};

/**
 * Completes a follow-up with the client's answer, in one transaction: the feedback row, the
 * follow-up done and linked to it, and an interaction on the contact's timeline (which also moves
 * the contact's last contact date).
 */
export async function completeFollowUpInTx(
  tx: Db, actor: Actor, id: string, input: CompleteFollowUpInput, expected: number | undefined, now: Date,
): Promise<{ followUp: AnyRow; feedback: AnyRow; activity: AnyRow }> {
  const before = await lockFollowUp(tx, actor, id);
  const done = completeFollowUp({ status: before['status'] as FollowUpStatus }, now);
  const saleId = before['saleId'] as string;
  const contactId = (before['contactId'] as string | null) ?? null;
  const fb = await recordFeedbackInTx(tx, actor, {
    saleId, contactId, channel: input.channel, nps: input.nps ?? null, satisfaction: input.satisfaction ?? null, comment: input.comment ?? null, answeredAt: now,
  }, now);
  const s = contactId ? null : await findSaleRef(tx, actor.workspaceId, saleId);
  const text = (await workspaceFollowUpWindow(tx, actor.workspaceId)).locale === 'en' ? activityText.en : activityText.es;
  const scores = [
    input.nps != null ? `NPS ${input.nps}` : null, input.satisfaction != null ? `${text.satisfaction} ${input.satisfaction}/5` : null,
  ].filter(Boolean).join(', ');
  const act = await logActivity(tx, actor, {
    type: activityTypeForChannel(input.channel), direction: 'outbound', subject: text.subject,
    body: [scores, input.comment?.trim()].filter(Boolean).join('\n') || null, outcome: input.outcome ?? null,
    occurredAt: now, contactId, companyId: s?.companyId ?? null,
  }, now);
  const row = await updateRow(tx, followUp, actor, 'followUp', before, {
    ...done, feedbackId: fb['id'], ...(input.outcome !== undefined ? { outcome: input.outcome } : {}),
  }, expected, 'complete');
  return { followUp: row, feedback: fb, activity: act };
}

// $1 workspace, $2 seller, $3 end of the seller's day, $4 limit. The count is its own statement:
// with count(*) OVER () the planner reads and sorts every due row, while on its own the page is a
// range scan of follow_up_user_planned_idx in due order that stops at the limit.
const dueWhere = `workspace_id = $1 AND user_id = $2 AND status = 'planned' AND due_at < $3`;
export const followUpsDueSql = `SELECT ${followUpSelect} FROM follow_up WHERE ${dueWhere} ORDER BY due_at, id LIMIT $4`;
export const followUpsDueCountSql = `SELECT count(*)::int AS total FROM follow_up WHERE ${dueWhere}`;

/**
 * Today's "follow-ups due": one seller's planned follow-ups due before the end of their day
 * (overdue ones included, oldest first), at most `limit`, with the full count.
 */
export async function followUpsDue(
  database: Database, w: { workspaceId: string; userId: string; dayEnd: Date; limit: number },
): Promise<{ total: number; items: AnyRow[] }> {
  const params = [w.workspaceId, w.userId, w.dayEnd];
  const [items, count] = await Promise.all([
    database.query<AnyRow>(followUpsDueSql, [...params, w.limit], 'today_follow_ups'),
    database.query<{ total: number }>(followUpsDueCountSql, params, 'today_follow_ups_count'),
  ]);
  return { total: count[0]?.total ?? 0, items };
}
