import type { Database } from '../client.js';

export type AuditEventFilter = { entity?: string; entityId?: string; userId?: string; from?: string; to?: string };
export type AuditEventItem = {
  id: number; at: Date; userId: string | null; userName: string | null;
  entity: string; entityId: string; action: string; changes: Record<string, unknown>;
};

/**
 * One page of the workspace's audit trail, newest first. Keyset on the identity id alone: it only
 * grows, it is unique, and (workspace_id, id) is the primary key, so any page is an index range.
 * `beforeId` is the last id of the previous page.
 */
export async function listAuditEvents(d: Database, workspaceId: string, f: AuditEventFilter, beforeId: number | null, limit: number): Promise<{ data: AuditEventItem[]; more: boolean }> {
  const params: unknown[] = [workspaceId];
  const p = (v: unknown) => { params.push(v); return `$${params.length}`; };
  const where = ['e.workspace_id = $1'];
  if (f.entity) where.push(`e.entity = ${p(f.entity)}`);
  if (f.entityId) where.push(`e.entity_id = ${p(f.entityId)}::uuid`);
  if (f.userId) where.push(`e.user_id = ${p(f.userId)}::uuid`);
  if (f.from) where.push(`e.at >= ${p(f.from)}::timestamptz`);
  if (f.to) where.push(`e.at < ${p(f.to)}::timestamptz`);
  if (beforeId !== null) where.push(`e.id < ${p(beforeId)}`);
  const rows = await d.query<AuditEventItem>(
    `SELECT e.id, e.at, e.user_id AS "userId", u.name AS "userName", e.entity, e.entity_id AS "entityId", e.action, e.changes
       FROM audit_event e LEFT JOIN app_user u ON u.workspace_id = e.workspace_id AND u.id = e.user_id
      WHERE ${where.join(' AND ')}
      ORDER BY e.id DESC
      LIMIT ${p(limit + 1)}`, params);
  return { data: rows.slice(0, limit), more: rows.length > limit };
}
