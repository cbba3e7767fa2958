import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { AppError, notFound } from '../../domain/errors.js';
import type { Db } from '../client.js';
import { recordAudit } from '../audit.js';
import { workspace } from '../schema.js';

export type WorkspaceRow = typeof workspace.$inferSelect;

/** The actor's own workspace; there is no way to name another one. */
export async function findWorkspace(tx: Db, workspaceId: string, forUpdate = false): Promise<WorkspaceRow> {
  const q = tx.select().from(workspace).where(eq(workspace.id, workspaceId));
  const [row] = forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('workspace');
  return row;
}

/** Updates the workspace with the same optimistic lock and audit trail as every other record. */
export async function updateWorkspace(tx: Db, actor: Actor, before: WorkspaceRow, values: Partial<WorkspaceRow>, expectedVersion: number | undefined): Promise<WorkspaceRow> {
  if (expectedVersion !== undefined && before.version !== expectedVersion) {
    throw new AppError('version_conflict', `The workspace was changed by someone else (version ${before.version}, you sent ${expectedVersion}).`, [], { current: before });
  }
  const [row] = await tx.update(workspace)
    .set({ ...values, version: sql`${workspace.version} + 1`, updatedAt: sql`now()` })
    .where(eq(workspace.id, actor.workspaceId)).returning();
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity: 'workspace', entityId: actor.workspaceId, action: 'update', before, after: row! });
  return row!;
}
