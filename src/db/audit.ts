import type { Db } from './client.js';
import { auditEvent } from './schema.js';
import { diffRecord } from '../domain/audit.js';
import { emitWebhookEvents } from './queries/webhooks.js';
import { rescoreForChange } from './queries/score.js';

export type AuditInput = {
  workspaceId: string;
  userId: string | null;
  entity: string;
  entityId: string;
  action: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** Extra context stored with the change (reason, merged ids…). */
  meta?: Record<string, unknown>;
};

/** Records one auditEvent inside the caller's transaction, so the change and its trace commit together. */
export async function recordAudit(tx: Db, a: AuditInput): Promise<void> {
  const changes: Record<string, unknown> = diffRecord(a.before ?? null, a.after ?? null);
  if (a.meta) changes['_meta'] = a.meta;
  await tx.insert(auditEvent).values({
    workspaceId: a.workspaceId, userId: a.userId, entity: a.entity, entityId: a.entityId, action: a.action, changes,
  });
  // Every write passes here, so this is where scores follow the change (same transaction, docs/score.md).
  await rescoreForChange(tx, a);
  // Every write passes here, so this is where changes become webhook events (outbox, same transaction).
  await emitWebhookEvents(tx, a.workspaceId, a);
}
