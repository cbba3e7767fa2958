import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { assertCanAssign, canSee } from '../../domain/access.js';
import {
  activityTypes, assertCanEditActivity, checkActivityLinks, checkNextActionPlacement, completeActivity, isDoneInteraction,
  reviseActivityTiming, startActivity, type ActivityTiming, type ActivityType,
} from '../../domain/activity.js';
import { fieldError, forbidden, notFound } from '../../domain/errors.js';
import { afterInteraction, type NextAction } from '../../domain/lead.js';
import type { Database, Db } from '../client.js';
import { recordAudit } from '../audit.js';
import { runList, scopeSql, selectList, type Page } from '../list.js';
import { deleteRow, findRow, insertRow, updateRow } from '../repository.js';
import { activity, activityComment, appUser, company, contact, lead } from '../schema.js';
import { assertReferences } from './contacts.js';
import { leadState, lockLead, setLeadNextActionInTx } from './leads.js';
import { managedUserIdsInTx } from './users.js';

type AnyRow = Record<string, unknown>;


export type ActivityInput = {
  type: ActivityType;
  direction?: 'inbound' | 'outbound' | null;
  subject?: string | null;
  body?: string | null;
  outcome?: string | null;
  occurredAt?: Date | null;
  dueAt?: Date | null;
  leadId?: string | null;
  contactId?: string | null;
  companyId?: string | null;
  userId?: string | null;
  nextAction?: NextAction | null;
};

export type ActivityPatch = Omit<ActivityInput, 'leadId' | 'nextAction' | 'type'> & { type?: ActivityType };

export type CompleteInput = { outcome?: string | null; note?: string | null; nextAction?: NextAction | null };

const timingOf = (row: AnyRow): ActivityTiming => ({
  occurredAt: (row['occurredAt'] as Date | null) ?? null,
  dueAt: (row['dueAt'] as Date | null) ?? null,
  doneAt: (row['doneAt'] as Date | null) ?? null,
});


/** A lead named in a request body: 422 when this workspace has no such lead, 403 when it is outside the actor's scope. */
async function lockReferencedLead(tx: Db, actor: Actor, leadId: string): Promise<AnyRow> {
  const found = await tx.select({ id: lead.id }).from(lead).where(and(eq(lead.workspaceId, actor.workspaceId), eq(lead.id, leadId)));
  if (!found[0]) throw fieldError('leadId', 'not_found', 'No such lead in this workspace.');
  return lockLead(tx, actor, leadId);
}

/**
 * The contact's last contact date moves forward only. It is derived data, so it neither bumps the
 * contact's version (which would make someone editing the contact meet a spurious conflict) nor gets
 * its own audit event: the activity's event is the trace.
 */
async function touchContact(tx: Db, workspaceId: string, contactId: string | null, at: Date): Promise<void> {
  if (!contactId) return;
  await tx.update(contact)
    .set({ lastActivityAt: sql`greatest(${contact.lastActivityAt}, ${at.toISOString()}::timestamptz)` })
    .where(and(eq(contact.workspaceId, workspaceId), eq(contact.id, contactId)));
}

/**
 * The next-action invariant and the "last activity" dates, applied when a done interaction is
 * recorded (logged, or a planned one completed) — in the caller's transaction.
 */
async function applyInteraction(
  tx: Db, actor: Actor, done: { type: ActivityType; doneAt: Date | null; occurredAt: Date | null; contactId: string | null },
  leadRow: AnyRow | null, next: NextAction | null | undefined, now: Date,
): Promise<void> {
  if (!isDoneInteraction(done)) return;
  const at = done.occurredAt ?? now;
  if (leadRow) {
    const change = afterInteraction(leadState(leadRow), next, now);
    await setLeadNextActionInTx(tx, actor, leadRow['id'] as string, change, at);
  }
  await touchContact(tx, actor.workspaceId, done.contactId, at);
}

/**
 * Records an activity. On a lead it copies the lead's contact and company (so their timelines show
 * it) and, when it is a done interaction on an open lead, requires and stores the lead's next action.
 */
export async function logActivity(tx: Db, actor: Actor, input: ActivityInput, now: Date): Promise<AnyRow> {
  const leadRow = input.leadId ? await lockReferencedLead(tx, actor, input.leadId) : null;
  const contactId = input.contactId ?? (leadRow?.['contactId'] as string | null | undefined) ?? null;
  const companyId = input.companyId ?? (leadRow?.['companyId'] as string | null | undefined) ?? null;
  checkActivityLinks({ leadId: input.leadId ?? null, contactId, companyId });
  const userId = input.userId ?? actor.userId;
  assertCanAssign(actor, actor.userId, userId);
  await assertActivityReferences(tx, actor.workspaceId, input);
  const timing = startActivity({ occurredAt: input.occurredAt ?? null, dueAt: input.dueAt ?? null }, now);
  checkNextActionPlacement({ type: input.type, doneAt: timing.doneAt, leadId: input.leadId ?? null }, !!input.nextAction);
  await applyInteraction(tx, actor, { type: input.type, ...timing, contactId }, leadRow, input.nextAction, now);
  return insertRow(tx, activity, actor, 'activity', {
    type: input.type, direction: input.direction ?? null, subject: input.subject ?? null, body: input.body ?? null,
    outcome: input.outcome ?? null, ...timing, leadId: input.leadId ?? null, contactId, companyId, userId,
  });
}

/**
 * Ids named in the request must be this workspace's: checked up front so the answer names the field
 * (a foreign-key violation would surface later, less precisely).
 */
function assertActivityReferences(tx: Db, workspaceId: string, refs: { contactId?: string | null; companyId?: string | null; userId?: string | null }) {
  return assertReferences(tx, workspaceId, [
    { field: 'contactId', table: contact, ids: refs.contactId },
    { field: 'companyId', table: company, ids: refs.companyId },
    { field: 'userId', table: appUser, ids: refs.userId },
  ]);
}

/** The activity row locked for a change, with the lead it is on; 403 when the actor may not change it. */
async function lockForChange(tx: Db, actor: Actor, id: string): Promise<{ before: AnyRow; leadRow: AnyRow | null }> {
  const before = await findRow(tx, activity, actor.workspaceId, id, 'activity', true);
  const leadId = before['leadId'] as string | null;
  const leadRow = leadId ? await lockLead(tx, actor, leadId) : null;
  const managed = await managedUserIdsInTx(tx, actor);
  assertCanEditActivity(actor, { userId: before['userId'] as string | null, leadId }, (leadRow?.['ownerId'] as string | null) ?? null, managed);
  return { before, leadRow };
}

/** Marks a planned activity done now, with the same next-action invariant as logging one. `note` becomes a comment. */
export async function completeActivityInTx(tx: Db, actor: Actor, id: string, input: CompleteInput, now: Date): Promise<AnyRow> {
  const { before, leadRow } = await lockForChange(tx, actor, id);
  const timing = completeActivity(timingOf(before), now);
  const type = before['type'] as ActivityType;
  checkNextActionPlacement({ type, doneAt: timing.doneAt, leadId: (before['leadId'] as string | null) ?? null }, !!input.nextAction);
  await applyInteraction(tx, actor, { type, ...timing, contactId: (before['contactId'] as string | null) ?? null }, leadRow, input.nextAction, now);
  const row = await updateRow(tx, activity, actor, 'activity', before, {
    ...timing, ...(input.outcome !== undefined ? { outcome: input.outcome } : {}),
  }, undefined, 'complete');
  if (input.note?.trim()) await insertComment(tx, actor, id, input.note, now);
  return row;
}

export async function updateActivityInTx(
  tx: Db, actor: Actor, id: string, patch: ActivityPatch, expectedVersion: number | undefined, now: Date,
): Promise<AnyRow> {
  const { before } = await lockForChange(tx, actor, id);
  const { occurredAt, dueAt, ...rest } = patch;
  const timing = reviseActivityTiming(timingOf(before), {
    ...(occurredAt !== undefined ? { occurredAt } : {}), ...(dueAt !== undefined ? { dueAt } : {}),
  }, now);
  if (rest.userId !== undefined) assertCanAssign(actor, before['userId'] as string | null, rest.userId);
  await assertActivityReferences(tx, actor.workspaceId, rest);
  checkActivityLinks({
    leadId: before['leadId'] as string | null,
    contactId: rest.contactId !== undefined ? rest.contactId : before['contactId'] as string | null,
    companyId: rest.companyId !== undefined ? rest.companyId : before['companyId'] as string | null,
  });
  return updateRow(tx, activity, actor, 'activity', before, { ...rest, ...timing }, expectedVersion);
}

export async function deleteActivityInTx(tx: Db, actor: Actor, id: string): Promise<void> {
  const { before } = await lockForChange(tx, actor, id);
  await deleteRow(tx, activity, actor, 'activity', before);
}

/**
 * One activity with its author's name, if the actor may see it: an activity on a lead follows the
 * lead's visibility (403 otherwise); the others are the whole workspace's.
 */
export async function getActivity(db: Db, actor: Actor, id: string): Promise<AnyRow> {
  const rows = await db.select({ ...getTableColumns(activity), userName: appUser.name, leadOwnerId: lead.ownerId, leadSharedWith: lead.sharedWith })
    .from(activity)
    .leftJoin(appUser, and(eq(appUser.workspaceId, activity.workspaceId), eq(appUser.id, activity.userId)))
    .leftJoin(lead, and(eq(lead.workspaceId, activity.workspaceId), eq(lead.id, activity.leadId)))
    .where(and(eq(activity.workspaceId, actor.workspaceId), eq(activity.id, id)));
  const found = rows[0];
  if (!found) throw notFound('activity');
  const { leadOwnerId, leadSharedWith, ...row } = found;
  if (row.leadId && !canSee(actor, { ownerId: leadOwnerId, sharedWith: leadSharedWith }, await managedUserIdsInTx(db, actor))) {
    throw forbidden('This activity is on a lead that belongs to someone else.');
  }
  return row;
}

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidParam(params: Record<string, string | undefined>, name: string): string | undefined {
  const v = params[name]?.trim();
  if (!v) return undefined;
  if (!uuidRe.test(v)) throw fieldError(name, 'invalid_uuid', `${name} must be a UUID.`);
  return v;
}

function timeParam(params: Record<string, string | undefined>, name: string): string | undefined {
  const v = params[name]?.trim();
  if (!v) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw fieldError(name, 'invalid_date', `${name} must be an ISO 8601 date.`);
  return d.toISOString();
}

function boolParam(params: Record<string, string | undefined>, name: string): boolean | undefined {
  const v = params[name];
  if (v === undefined || v === '') return undefined;
  if (v !== 'true' && v !== 'false') throw fieldError(name, 'invalid_boolean', `${name} must be true or false.`);
  return v === 'true';
}

export function limitParam(raw: string | undefined): number {
  const limit = raw === undefined ? 50 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw fieldError('limit', 'out_of_range', 'limit must be an integer from 1 to 500.');
  return limit;
}

/** Reads a cursor written by runList: base64url JSON of [sort value, id]. */
export function decodeCursor(c: string): [unknown, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[1] === 'string' && uuidRe.test(v[1])) return [v[0], v[1]];
  } catch { /* fall through */ }
  throw fieldError('cursor', 'invalid_cursor', 'The cursor is not one this API returned.');
}

export const timelineFilters = [
  'leadId', 'contactId', 'companyId', 'userId', 'type', 'done', 'dueFrom', 'dueTo', 'occurredFrom', 'occurredTo',
] as const;

/** The timeline's order: when it happened or is due (activity_*_idx index this expression). */
const TIMELINE_AT = 'coalesce(a.occurred_at, a.due_at)';

/**
 * The timeline: activities newest first (sort=at for oldest first), with their author's name.
 * A contact's timeline also holds what was logged on its leads; a company's, what was logged on its
 * leads and its contacts. Activities on a lead follow the lead's visibility; the rest are the
 * workspace's. Keyset-paginated like every list (cursor from runList).
 */
export async function listTimeline(database: Database, actor: Actor, params: Record<string, string | undefined>): Promise<Page<AnyRow>> {
  const values: unknown[] = [actor.workspaceId];
  const p = (v: unknown) => { values.push(v); return `$${values.length}`; };
  const where = ['a.workspace_id = $1'];

  const leadId = uuidParam(params, 'leadId');
  if (leadId) where.push(`a.lead_id = ${p(leadId)}`);
  const contactId = uuidParam(params, 'contactId');
  if (contactId) {
    const c = p(contactId);
    // ARRAY(subquery) is evaluated once, so both arms can use their index (a BitmapOr), not a per-row subplan.
    where.push(`(a.contact_id = ${c} OR a.lead_id = ANY(ARRAY(SELECT l.id FROM lead l WHERE l.workspace_id = $1 AND l.contact_id = ${c})))`);
  }
  const companyId = uuidParam(params, 'companyId');
  if (companyId) {
    const c = p(companyId);
    where.push(`(a.company_id = ${c}
      OR a.lead_id = ANY(ARRAY(SELECT l.id FROM lead l WHERE l.workspace_id = $1 AND l.company_id = ${c}))
      OR a.contact_id = ANY(ARRAY(SELECT ct.id FROM contact ct WHERE ct.workspace_id = $1 AND ct.company_id = ${c})))`);
  }
  const userId = uuidParam(params, 'userId');
  if (userId) where.push(`a.user_id = ${p(userId)}`);
  const types = params['type']?.split(',').map((s) => s.trim()).filter(Boolean);
  if (types?.length) {
    const bad = types.find((x) => !(activityTypes as readonly string[]).includes(x));
    if (bad) throw fieldError('type', 'invalid_choice', `type must be among: ${activityTypes.join(', ')}.`);
    where.push(`a.type = ANY(${p(types)}::text[])`);
  }
  const done = boolParam(params, 'done');
  if (done !== undefined) where.push(`a.done_at IS ${done ? 'NOT ' : ''}NULL`);
  const ranges: [string, string, '>=' | '<'][] = [
    ['dueFrom', 'due_at', '>='], ['dueTo', 'due_at', '<'], ['occurredFrom', 'occurred_at', '>='], ['occurredTo', 'occurred_at', '<'],
  ];
  for (const [name, column, op] of ranges) {
    const v = timeParam(params, name);
    if (v) where.push(`a.${column} ${op} ${p(v)}::timestamptz`);
  }
  const scope = scopeSql(actor, p, 'l');
  if (scope) where.push(`(a.lead_id IS NULL OR EXISTS (SELECT 1 FROM lead l WHERE l.workspace_id = a.workspace_id AND l.id = a.lead_id AND ${scope}))`);

  const sort = params['sort'] ?? '-at';
  if (sort !== 'at' && sort !== '-at') throw fieldError('sort', 'invalid_choice', 'sort must be one of: at, -at.');
  const desc = sort === '-at';
  const limit = limitParam(params['limit']);
  if (params['cursor']) {
    const [v, id] = decodeCursor(params['cursor']);
    where.push(`(${TIMELINE_AT}, a.id) ${desc ? '<' : '>'} (${p(v)}::timestamptz, ${p(id)}::uuid)`);
  }
  const dir = desc ? 'DESC' : 'ASC';
  const text = `SELECT ${selectList(activity, 'a')}, u.name AS "userName", (${TIMELINE_AT})::text AS "__sort"
      FROM activity a
      LEFT JOIN app_user u ON u.workspace_id = a.workspace_id AND u.id = a.user_id
     WHERE ${where.join('\n       AND ')}
     ORDER BY ${TIMELINE_AT} ${dir}, a.id ${dir}
     LIMIT ${limit + 1}`;
  return runList<AnyRow>(database, { text, params: values, limit, sortKey: 'at', sortExpr: { expr: TIMELINE_AT, type: 'timestamp' } });
}

async function insertComment(tx: Db, actor: Actor, activityId: string, body: string, now: Date): Promise<AnyRow> {
  const [row] = await tx.insert(activityComment).values({ workspaceId: actor.workspaceId, activityId, userId: actor.userId, body, createdAt: now }).returning();
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity: 'activityComment', entityId: row!.id, action: 'create', after: row!, meta: { activityId } });
  return row!;
}

/**
 * Adds a comment to an activity the actor can see. The text is stored exactly as typed: rendering
 * it safely (as text, never as HTML) is the UI's job, and escaping here would corrupt exports.
 */
export async function addComment(tx: Db, actor: Actor, activityId: string, body: string, now: Date): Promise<AnyRow> {
  await getActivity(tx, actor, activityId);
  const row = await insertComment(tx, actor, activityId, body, now);
  return (await commentsOf(tx, actor.workspaceId, activityId, row['id'] as string))[0]!;
}

async function commentsOf(db: Db, workspaceId: string, activityId: string, commentId?: string): Promise<AnyRow[]> {
  return db.select({
    id: activityComment.id, activityId: activityComment.activityId, userId: activityComment.userId, userName: appUser.name,
    body: activityComment.body, createdAt: activityComment.createdAt,
  }).from(activityComment)
    .leftJoin(appUser, and(eq(appUser.workspaceId, activityComment.workspaceId), eq(appUser.id, activityComment.userId)))
    .where(and(
      eq(activityComment.workspaceId, workspaceId), eq(activityComment.activityId, activityId),
      ...(commentId ? [eq(activityComment.id, commentId)] : []),
    ))
    .orderBy(asc(activityComment.createdAt), asc(activityComment.id));
}

/** An activity's comments, oldest first (a conversation reads downwards). */
export async function listComments(db: Db, actor: Actor, activityId: string): Promise<AnyRow[]> {
  await getActivity(db, actor, activityId);
  return commentsOf(db, actor.workspaceId, activityId);
}
