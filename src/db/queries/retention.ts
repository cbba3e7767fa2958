import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { recordAudit } from '../audit.js';
import { forgetMergeSnapshots } from './duplicates.js';
import { AppError, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/access.js';

// tx.execute answers { rows } on both drivers; its declared type differs per driver.
const rowsOf = <T>(res: unknown) => (res as { rows: T[] }).rows;

export type PurgeEntity = 'lead' | 'contact' | 'company';
// Identifiers cannot be bound as parameters; this map is the only source of the table and column names.
const tableOf: Record<PurgeEntity, { table: string; activityColumn: string }> = {
  lead: { table: 'lead', activityColumn: 'lead_id' },
  contact: { table: 'contact', activityColumn: 'contact_id' },
  company: { table: 'company', activityColumn: 'company_id' },
};

/** A uuid[] literal; the ids come from the database or a validated path, never free text. */
const uuidArray = (ids: string[]) => `{${ids.join(',')}}`;

/**
 * Empties the recorded before/after values of past audit events of the given records, keeping who
 * did what and when. Deleting personal data must reach the trail too, or it survives in the diffs.
 */
async function scrubAuditTrail(tx: Db, workspaceId: string, entity: string, ids: string[], reason: 'purge' | 'erase'): Promise<void> {
  if (ids.length === 0) return;
  await tx.execute(sql`
    UPDATE audit_event SET changes = jsonb_build_object('_scrubbed', ${reason}::text)
     WHERE workspace_id = ${workspaceId} AND entity = ${entity} AND entity_id = ANY(${uuidArray(ids)}::uuid[])`);
}

/** Deletes the activities of some records and their comments, scrubbing both trails; answers how many per record. */
async function deleteActivitiesOf(tx: Db, workspaceId: string, column: string, ids: string[], reason: 'purge' | 'erase'): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (ids.length === 0) return counts;
  const acts = rowsOf<{ id: string; owner: string }>(await tx.execute(sql`
    SELECT id, ${sql.identifier(column)}::text AS owner FROM activity
     WHERE workspace_id = ${workspaceId} AND ${sql.identifier(column)} = ANY(${uuidArray(ids)}::uuid[])`));
  if (acts.length === 0) return counts;
  for (const a of acts) counts.set(a.owner, (counts.get(a.owner) ?? 0) + 1);
  const actIds = acts.map((a) => a.id);
  const comments = rowsOf<{ id: string }>(await tx.execute(sql`
    SELECT id FROM activity_comment WHERE workspace_id = ${workspaceId} AND activity_id = ANY(${uuidArray(actIds)}::uuid[])`));
  await tx.execute(sql`DELETE FROM activity WHERE workspace_id = ${workspaceId} AND id = ANY(${uuidArray(actIds)}::uuid[])`);
  await scrubAuditTrail(tx, workspaceId, 'activity', actIds, reason);
  await scrubAuditTrail(tx, workspaceId, 'activityComment', comments.map((c) => c.id), reason);
  return counts;
}

export type PurgedRecord = { id: string; cancelReason: string | null; cancelledAt: Date };

/**
 * Permanently deletes up to `limit` records of one kind cancelled before `cutoff`, with their
 * activities, in the caller's transaction. Each deletion is audited as `purge` with only the id,
 * the cancel reason and dates; the earlier audit events of the record are scrubbed.
 */
export async function purgeCancelled(tx: Db, workspaceId: string, entity: PurgeEntity, cutoff: Date, limit: number, now: Date): Promise<PurgedRecord[]> {
  const { table, activityColumn } = tableOf[entity];
  const res = await tx.execute(sql`
    SELECT id, cancel_reason AS "cancelReason", cancelled_at AS "cancelledAt" FROM ${sql.identifier(table)}
     WHERE workspace_id = ${workspaceId} AND status = 'cancelled' AND cancelled_at < ${cutoff.toISOString()}::timestamptz
     ORDER BY cancelled_at, id
     LIMIT ${limit}
     FOR UPDATE SKIP LOCKED`);
  const rows = rowsOf<PurgedRecord>(res);
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const activities = await deleteActivitiesOf(tx, workspaceId, activityColumn, ids, 'purge');
  await tx.execute(sql`DELETE FROM ${sql.identifier(table)} WHERE workspace_id = ${workspaceId} AND id = ANY(${uuidArray(ids)}::uuid[])`);
  await scrubAuditTrail(tx, workspaceId, entity, ids, 'purge');
  for (const r of rows) {
    await recordAudit(tx, {
      workspaceId, userId: null, entity, entityId: r.id, action: 'purge',
      meta: {
        cancelReason: r.cancelReason, cancelledAt: new Date(r.cancelledAt).toISOString(), cutoff: cutoff.toISOString(),
        purgedAt: now.toISOString(), activitiesDeleted: activities.get(r.id) ?? 0,
      },
    });
  }
  return rows;
}

export type EraseResult = { contactId: string; activitiesDeleted: number; leadsDetached: number; salesDetached: number };

/**
 * Erases a contact at once for a privacy request, in the caller's transaction: the contact row, its
 * activities and the personal data in their audit trail. Leads stay, without the contact (their
 * version is bumped so an open edit form notices). Sales stay for accounting; a sale tied only to this
 * contact would be left with no customer at all, so the erase is refused until it is linked to a company.
 */
export async function eraseContact(tx: Db, actor: Actor, contactId: string): Promise<EraseResult> {
  const ws = actor.workspaceId;
  const found = rowsOf<{ id: string }>(await tx.execute(sql`SELECT id FROM contact WHERE workspace_id = ${ws} AND id = ${contactId} FOR UPDATE`));
  if (found.length === 0) throw notFound('contact');
  const orphanSales = rowsOf<{ n: number }>(await tx.execute(sql`
    SELECT count(*)::int AS n FROM sale WHERE workspace_id = ${ws} AND contact_id = ${contactId} AND company_id IS NULL`))[0]?.n ?? 0;
  if (orphanSales > 0) {
    throw new AppError('conflict', `The contact has ${orphanSales} sale(s) with no company; sales are kept for accounting, so link them to a company first.`,
      [{ field: 'id', code: 'has_sales_without_company', message: `${orphanSales} sale(s) would be left without a customer.` }], { salesWithoutCompany: orphanSales });
  }
  const activities = await deleteActivitiesOf(tx, ws, 'contact_id', [contactId], 'erase');
  const leads = rowsOf<{ id: string }>(await tx.execute(sql`
    UPDATE lead SET contact_id = NULL, version = version + 1, updated_at = now()
     WHERE workspace_id = ${ws} AND contact_id = ${contactId} RETURNING id`));
  const sales = rowsOf<{ id: string }>(await tx.execute(sql`
    UPDATE sale SET contact_id = NULL, version = version + 1, updated_at = now()
     WHERE workspace_id = ${ws} AND contact_id = ${contactId} RETURNING id`));
  await tx.execute(sql`DELETE FROM contact WHERE workspace_id = ${ws} AND id = ${contactId}`);
  await scrubAuditTrail(tx, ws, 'contact', [contactId], 'erase');
  // A merge's snapshot holds the erased person's values (and undo would restore them): emptied too.
  const mergeSnapshotsForgotten = await forgetMergeSnapshots(tx, ws, 'contact', contactId, new Date());
  const result: EraseResult = { contactId, activitiesDeleted: activities.get(contactId) ?? 0, leadsDetached: leads.length, salesDetached: sales.length };
  await recordAudit(tx, {
    workspaceId: ws, userId: actor.userId, entity: 'contact', entityId: contactId, action: 'erase',
    meta: { activitiesDeleted: result.activitiesDeleted, leadIds: leads.map((l) => l.id), saleIds: sales.map((s) => s.id), mergeSnapshotsForgotten },
  });
  return result;
}
