import { and, asc, eq } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { assertCanAssign } from '../../domain/access.js';
import {
  changeComplaintStatus, checkComplaintOrigin, openingEvent, type ComplaintCategory, type ComplaintResolution, type ComplaintState,
  type ComplaintStatus, type ComplaintStatusEvent,
} from '../../domain/complaint.js';
import { fieldError, notFound } from '../../domain/errors.js';
import type { Database, Db } from '../client.js';
import { recordAudit } from '../audit.js';
import { buildListQuery, runList, selectList, type ListParams, type ListSpec, type Page } from '../list.js';
import { findRow, insertRow, updateRow } from '../repository.js';
import { appUser, complaint, complaintCategories, complaintEvent, complaintStatuses } from '../schema.js';
import { resolveSaleAndContact } from './feedback.js';

type AnyRow = Record<string, unknown>;

export type ComplaintInput = {
  contactId?: string | null;
  saleId?: string | null;
  category: ComplaintCategory;
  description: string;
  ownerId?: string | null;
  dueAt?: Date | null;
};

export type ComplaintPatch = {
  category?: ComplaintCategory;
  description?: string;
  ownerId?: string | null;
  dueAt?: Date | null;
  status?: ComplaintStatus;
  resolution?: ComplaintResolution | null;
  /** Written on the timeline with the status change (or as a note when the status stays). */
  note?: string | null;
};

async function assertUserRef(tx: Db, workspaceId: string, userId: string | null | undefined, field: string): Promise<void> {
  if (!userId) return;
  const rows = await tx.select({ id: appUser.id }).from(appUser).where(and(eq(appUser.workspaceId, workspaceId), eq(appUser.id, userId)));
  if (!rows[0]) throw fieldError(field, 'not_found', 'No such user in this workspace.');
}

async function insertEvent(
  tx: Db, actor: Actor, complaintId: string, e: { kind: 'status'; status: ComplaintStatusEvent; body?: string | null } | { kind: 'note'; body: string }, now: Date,
): Promise<AnyRow> {
  const values = e.kind === 'status'
    ? { kind: e.kind, fromStatus: e.status.fromStatus, toStatus: e.status.toStatus, resolution: e.status.resolution, body: e.body?.trim() || null }
    : { kind: e.kind, body: e.body };
  const [row] = await tx.insert(complaintEvent).values({ workspaceId: actor.workspaceId, complaintId, userId: actor.userId, at: now, ...values }).returning();
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity: 'complaintEvent', entityId: row!.id, action: 'create', after: row!, meta: { complaintId } });
  return row!;
}

/**
 * Opens a complaint about a contact or a sale (the contact defaults to the sale's client). The
 * owner, who handles it, defaults to whoever records it; only managers and admins give it to
 * someone else. The timeline starts with the opening.
 */
export async function createComplaintInTx(tx: Db, actor: Actor, input: ComplaintInput, now: Date): Promise<AnyRow> {
  checkComplaintOrigin(input);
  const refs = await resolveSaleAndContact(tx, actor.workspaceId, input);
  const ownerId = input.ownerId === undefined ? actor.userId : input.ownerId;
  assertCanAssign(actor, actor.userId, ownerId);
  await assertUserRef(tx, actor.workspaceId, ownerId, 'ownerId');
  const row = await insertRow(tx, complaint, actor, 'complaint', {
    ...refs, category: input.category, description: input.description, ownerId, dueAt: input.dueAt ?? null,
    status: 'open', createdBy: actor.userId, createdAt: now, updatedAt: now,
  });
  await insertEvent(tx, actor, row['id'] as string, { kind: 'status', status: openingEvent() }, now);
  return row;
}

const stateOf = (row: AnyRow): ComplaintState => ({
  status: row['status'] as ComplaintStatus,
  resolution: (row['resolution'] as ComplaintResolution | null) ?? null,
  resolvedAt: (row['resolvedAt'] as Date | null) ?? null,
});

/**
 * Edits a complaint. A status change goes through the domain (resolution rules) and writes one
 * timeline event in the same transaction; a note alone becomes a note event.
 */
export async function updateComplaintInTx(tx: Db, actor: Actor, id: string, patch: ComplaintPatch, expected: number | undefined, now: Date): Promise<AnyRow> {
  const before = await findRow(tx, complaint, actor.workspaceId, id, 'complaint', true);
  const { status, resolution, note, ...plain } = patch;
  const change = changeComplaintStatus(stateOf(before), {
    ...(status !== undefined ? { status } : {}), ...(resolution !== undefined ? { resolution } : {}),
  }, now);
  if (plain.ownerId !== undefined && plain.ownerId !== before['ownerId']) {
    assertCanAssign(actor, (before['ownerId'] as string | null) ?? null, plain.ownerId);
    await assertUserRef(tx, actor.workspaceId, plain.ownerId, 'ownerId');
  }
  const row = await updateRow(tx, complaint, actor, 'complaint', before, { ...plain, ...change.values }, expected, change.event ? 'status' : 'update');
  if (change.event) await insertEvent(tx, actor, id, { kind: 'status', status: change.event, body: note ?? null }, now);
  else if (note?.trim()) await insertEvent(tx, actor, id, { kind: 'note', body: note }, now);
  return row;
}

/** Adds a note to the complaint's timeline, stored as typed. */
export async function addComplaintNoteInTx(tx: Db, actor: Actor, id: string, body: string, now: Date): Promise<AnyRow> {
  await findRow(tx, complaint, actor.workspaceId, id, 'complaint');
  const row = await insertEvent(tx, actor, id, { kind: 'note', body }, now);
  return (await eventsOf(tx, actor.workspaceId, id, row['id'] as string))[0]!;
}

async function eventsOf(db: Db, workspaceId: string, complaintId: string, eventId?: string): Promise<AnyRow[]> {
  return db.select({
    id: complaintEvent.id, complaintId: complaintEvent.complaintId, kind: complaintEvent.kind, fromStatus: complaintEvent.fromStatus,
    toStatus: complaintEvent.toStatus, resolution: complaintEvent.resolution, body: complaintEvent.body,
    userId: complaintEvent.userId, userName: appUser.name, at: complaintEvent.at,
  }).from(complaintEvent)
    .leftJoin(appUser, and(eq(appUser.workspaceId, complaintEvent.workspaceId), eq(appUser.id, complaintEvent.userId)))
    .where(and(
      eq(complaintEvent.workspaceId, workspaceId), eq(complaintEvent.complaintId, complaintId),
      ...(eventId ? [eq(complaintEvent.id, eventId)] : []),
    ))
    .orderBy(asc(complaintEvent.at), asc(complaintEvent.id));
}

/** The complaint's timeline, oldest first (it reads as a story). */
export async function listComplaintEvents(db: Db, workspaceId: string, id: string): Promise<AnyRow[]> {
  await findRow(db, complaint, workspaceId, id, 'complaint');
  return eventsOf(db, workspaceId, id);
}

/**
 * Complaints are the whole team's (anyone may serve a client), so the list is the workspace's.
 * `overdue` mirrors the domain's isComplaintOverdue as a column so it can be filtered; `now`
 * comes from the application clock, formatted by us, never from the request.
 */
const fromAt = (now: Date) => `(SELECT c.*, (c.status <> 'resolved' AND c.due_at IS NOT NULL AND c.due_at < '${now.toISOString()}'::timestamptz) AS overdue
    FROM complaint c) complaint`;

export const complaintSelect = `${selectList(complaint)}, overdue AS "overdue",
  (SELECT concat_ws(' ', ct.first_name, ct.last_name, ct.second_last_name) FROM contact ct
    WHERE ct.workspace_id = complaint.workspace_id AND ct.id = complaint.contact_id) AS "contactName",
  (SELECT u.name FROM app_user u WHERE u.workspace_id = complaint.workspace_id AND u.id = complaint.owner_id) AS "ownerName"`;

export const complaintList: ListSpec = {
  table: complaint,
  scope: 'workspace',
  filters: {
    status: { kind: 'enum', column: 'status', values: complaintStatuses },
    category: { kind: 'enum', column: 'category', values: complaintCategories },
    ownerId: { kind: 'in', column: 'owner_id', type: 'uuid' },
    contactId: { kind: 'in', column: 'contact_id', type: 'uuid' },
    saleId: { kind: 'in', column: 'sale_id', type: 'uuid' },
    overdue: { kind: 'bool', column: 'overdue' },
    createdFrom: { kind: 'gte', column: 'created_at', type: 'timestamp' },
    createdTo: { kind: 'lt', column: 'created_at', type: 'timestamp' },
  },
  sorts: {
    createdAt: { expr: 'created_at', type: 'timestamp' },
    dueAt: { expr: `coalesce(due_at, 'infinity'::timestamptz)`, type: 'timestamp' },
    updatedAt: { expr: 'updated_at', type: 'timestamp' },
  },
  defaultSort: '-createdAt',
};

export async function listComplaints(database: Database, actor: Actor, params: ListParams, now: Date): Promise<Page<AnyRow>> {
  return runList<AnyRow>(database, buildListQuery(complaintList, actor, params, { select: complaintSelect, from: fromAt(now) }));
}

export async function getComplaintView(database: Database, workspaceId: string, id: string, now: Date): Promise<AnyRow> {
  const rows = await database.query(`SELECT ${complaintSelect} FROM ${fromAt(now)} WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  if (!rows[0]) throw notFound('complaint');
  return rows[0];
}
