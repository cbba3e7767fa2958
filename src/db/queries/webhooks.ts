import { randomUUID } from 'node:crypto';
import { and, arrayOverlaps, asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { AppError, notFound } from '../../domain/errors.js';
import { eventsForChange, type AuditedChange, type WebhookEvent } from '../../domain/webhook.js';
import type { Database, Db } from '../client.js';
import { recordAudit } from '../audit.js';
import { enqueueJob } from './jobs.js';
import { webhook, webhookDelivery } from '../schema.js';

/** The job kind that sends one attempt of one delivery (src/jobs/webhooks.ts). */
export const WEBHOOK_JOB = 'webhook';
/** One job per attempt, so a retry is a new job and a replayed or stale job finds nothing to do. */
export const deliveryJobId = (deliveryId: string, attempt: number) => `webhook:${deliveryId}:${attempt}`;

export type WebhookInfo = {
  id: string; name: string; url: string; events: string[]; active: boolean;
  createdBy: string | null; createdAt: Date; updatedAt: Date; version: number;
};
/** What is shown of a webhook: never its secret. */
const infoColumns = {
  id: webhook.id, name: webhook.name, url: webhook.url, events: webhook.events, active: webhook.active,
  createdBy: webhook.createdBy, createdAt: webhook.createdAt, updatedAt: webhook.updatedAt, version: webhook.version,
};

export type DeliveryInfo = {
  id: string; webhookId: string; event: string; eventId: string; payload: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed'; attempts: number; responseCode: number | null; lastError: string | null;
  nextAttemptAt: Date | null; replayOf: string | null; createdAt: Date; finishedAt: Date | null;
};
const deliveryColumns = {
  id: webhookDelivery.id, webhookId: webhookDelivery.webhookId, event: webhookDelivery.event, eventId: webhookDelivery.eventId,
  payload: webhookDelivery.payload, status: webhookDelivery.status, attempts: webhookDelivery.attempts,
  responseCode: webhookDelivery.responseCode, lastError: webhookDelivery.lastError, nextAttemptAt: webhookDelivery.nextAttemptAt,
  replayOf: webhookDelivery.replayOf, createdAt: webhookDelivery.createdAt, finishedAt: webhookDelivery.finishedAt,
};

const key = (workspaceId: string, id: string) => and(eq(webhook.workspaceId, workspaceId), eq(webhook.id, id));

// Outbox ------------------------------------------------------------------------------------------

export type ChangeOf = AuditedChange & { entityId: string };

/** The workspace's active webhooks that want at least one of `events`: one indexed lookup. */
const activeHooks = (tx: Db, workspaceId: string, events: readonly WebhookEvent[]) => tx.select({ id: webhook.id, events: webhook.events }).from(webhook)
  .where(and(eq(webhook.workspaceId, workspaceId), eq(webhook.active, true), arrayOverlaps(webhook.events, [...events])));

/**
 * An event's `data`: the record as stored after the change. A bulk change (a deleted stage's leads
 * moved) audits only the changed fields, so the id is always added.
 */
function payloadData(change: ChangeOf): Record<string, unknown> {
  const data: Record<string, unknown> = { id: change.entityId, ...change.after };
  delete data['searchText'];
  return data;
}

/**
 * Called by recordAudit for every audited change, inside its transaction: the change, its audit
 * event and its webhook deliveries (with their first job) commit together or not at all. Costs one
 * indexed lookup, and only for changes that raise an event (lead, sale, feedback writes).
 */
export async function emitWebhookEvents(tx: Db, workspaceId: string, change: ChangeOf): Promise<void> {
  const events = eventsForChange(change);
  if (!events.length) return;
  const hooks = await activeHooks(tx, workspaceId, events);
  if (!hooks.length) return;
  const now = new Date();
  const data = payloadData(change);
  for (const event of events) {
    const payload = { id: randomUUID(), event, occurredAt: now.toISOString(), workspaceId, data };
    for (const h of hooks.filter((x) => x.events.includes(event))) {
      await insertDelivery(tx, workspaceId, h.id, event, payload, null, now);
    }
  }
}


/**
 * emitWebhookEvents for a write that changes many rows at once (an import batch): the same events
 * and payloads, in two statements whatever the number of rows (deliveries, then their first jobs).
 * `raised` are the events these changes can raise; when no active webhook wants any of them, the
 * changes are never loaded, so a workspace without webhooks pays one indexed lookup per call.
 */
export async function emitWebhookEventsForMany(tx: Db, workspaceId: string, raised: readonly WebhookEvent[], changes: () => Promise<ChangeOf[]>): Promise<number> {
  if (!raised.length) return 0;
  const hooks = await activeHooks(tx, workspaceId, raised);
  if (!hooks.length) return 0;
  const now = new Date();
  const rows: { id: string; webhook_id: string; event: string; event_id: string; payload: Record<string, unknown>; job_id: string; job_payload: Record<string, unknown> }[] = [];
  for (const change of await changes()) {
    const data = payloadData(change);
    for (const event of eventsForChange(change)) {
      const payload = { id: randomUUID(), event, occurredAt: now.toISOString(), workspaceId, data };
      for (const h of hooks.filter((x) => x.events.includes(event))) {
        const id = randomUUID();
        rows.push({ id, webhook_id: h.id, event, event_id: payload.id, payload, job_id: deliveryJobId(id, 1), job_payload: { deliveryId: id, attempt: 1 } });
      }
    }
  }
  if (!rows.length) return 0;
  await tx.execute(sql`
    WITH x AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS x(id uuid, webhook_id uuid, event text, event_id uuid, payload jsonb, job_id text, job_payload jsonb)
    ), d AS (
      INSERT INTO webhook_delivery (workspace_id, id, webhook_id, event, event_id, payload, next_attempt_at)
      SELECT ${workspaceId}, x.id, x.webhook_id, x.event, x.event_id, x.payload, ${now.toISOString()}::timestamptz FROM x
      RETURNING id
    )
    INSERT INTO job (workspace_id, id, kind, payload, run_at, max_attempts)
    SELECT ${workspaceId}, x.job_id, ${WEBHOOK_JOB}, x.job_payload, ${now.toISOString()}::timestamptz, 3 FROM x JOIN d ON d.id = x.id
    ON CONFLICT (workspace_id, id) DO NOTHING`);
  return rows.length;
}

async function insertDelivery(tx: Db, workspaceId: string, webhookId: string, event: string, payload: Record<string, unknown>, replayOf: string | null, now: Date): Promise<DeliveryInfo> {
  const [row] = await tx.insert(webhookDelivery).values({
    workspaceId, webhookId, event, eventId: payload['id'] as string, payload, replayOf, nextAttemptAt: now,
  }).returning(deliveryColumns);
  await enqueueJob(tx, { workspaceId, id: deliveryJobId(row!.id, 1), kind: WEBHOOK_JOB, payload: { deliveryId: row!.id, attempt: 1 }, runAt: now, maxAttempts: 3 });
  return row!;
}

// Webhooks (admin) --------------------------------------------------------------------------------

export async function listWebhooks(tx: Db, workspaceId: string): Promise<WebhookInfo[]> {
  return tx.select(infoColumns).from(webhook).where(eq(webhook.workspaceId, workspaceId)).orderBy(asc(webhook.createdAt), asc(webhook.id));
}

export async function getWebhook(tx: Db, workspaceId: string, id: string, forUpdate = false): Promise<WebhookInfo> {
  const q = tx.select(infoColumns).from(webhook).where(key(workspaceId, id));
  const [row] = forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('webhook');
  return row;
}

export async function insertWebhook(tx: Db, actor: Actor, w: { name: string; url: string; events: WebhookEvent[]; active: boolean; secret: string }): Promise<WebhookInfo> {
  const [row] = await tx.insert(webhook).values({ workspaceId: actor.workspaceId, createdBy: actor.userId, ...w }).returning(infoColumns);
  // The audit trail never holds the secret.
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity: 'webhook', entityId: row!.id, action: 'create', after: row! });
  return row!;
}

export async function updateWebhook(
  tx: Db, actor: Actor, before: WebhookInfo,
  patch: Partial<{ name: string; url: string; events: WebhookEvent[]; active: boolean; secret: string }>, expectedVersion: number | undefined,
): Promise<WebhookInfo> {
  if (expectedVersion !== undefined && before.version !== expectedVersion) {
    throw new AppError('version_conflict', `The webhook was changed by someone else (version ${before.version}, you sent ${expectedVersion}).`, [], { current: before });
  }
  const [row] = await tx.update(webhook).set({ ...patch, version: sql`${webhook.version} + 1`, updatedAt: sql`now()` })
    .where(key(actor.workspaceId, before.id)).returning(infoColumns);
  await recordAudit(tx, {
    workspaceId: actor.workspaceId, userId: actor.userId, entity: 'webhook', entityId: before.id, action: patch.secret ? 'rotate_secret' : 'update',
    before, after: row!,
  });
  return row!;
}

export async function deleteWebhook(tx: Db, actor: Actor, before: WebhookInfo): Promise<void> {
  await tx.delete(webhook).where(key(actor.workspaceId, before.id));
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity: 'webhook', entityId: before.id, action: 'delete', before });
}

// Deliveries --------------------------------------------------------------------------------------

/** The delivery log of one webhook, newest first; `before` is the last row of the previous page. */
export async function listDeliveries(
  d: Database, workspaceId: string, webhookId: string,
  opts: { limit: number; status?: string | undefined; before?: { createdAt: string; id: string } | undefined },
): Promise<{ data: (DeliveryInfo & { cursorAt: string })[]; hasMore: boolean }> {
  const params: unknown[] = [workspaceId, webhookId];
  const where = ['workspace_id = $1', 'webhook_id = $2'];
  if (opts.status) { params.push(opts.status); where.push(`status = $${params.length}`); }
  if (opts.before) {
    params.push(opts.before.createdAt, opts.before.id);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  // cursorAt keeps created_at's microseconds (a JS Date would round them and skip rows).
  const rows = await d.query<DeliveryInfo & { cursorAt: string }>(
    `SELECT id, webhook_id AS "webhookId", event, event_id AS "eventId", payload, status, attempts, response_code AS "responseCode",
            last_error AS "lastError", next_attempt_at AS "nextAttemptAt", replay_of AS "replayOf", created_at AS "createdAt",
            finished_at AS "finishedAt", created_at::text AS "cursorAt"
       FROM webhook_delivery WHERE ${where.join(' AND ')}
      ORDER BY created_at DESC, id DESC LIMIT ${opts.limit + 1}`, params);
  return { data: rows.slice(0, opts.limit), hasMore: rows.length > opts.limit };
}

export async function getDelivery(tx: Db, workspaceId: string, webhookId: string, id: string): Promise<DeliveryInfo> {
  const [row] = await tx.select(deliveryColumns).from(webhookDelivery)
    .where(and(eq(webhookDelivery.workspaceId, workspaceId), eq(webhookDelivery.webhookId, webhookId), eq(webhookDelivery.id, id)));
  if (!row) throw notFound('webhookDelivery');
  return row;
}

/**
 * Sends a delivery again as a new delivery (same event id and payload, so the receiver can tell it
 * is the same event), keeping the original in the log as it was.
 */
export async function replayDelivery(tx: Db, actor: Actor, original: DeliveryInfo, now: Date): Promise<DeliveryInfo> {
  const row = await insertDelivery(tx, actor.workspaceId, original.webhookId, original.event, original.payload, original.id, now);
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity: 'webhookDelivery', entityId: row.id, action: 'replay', meta: { replayOf: original.id } });
  return row;
}

export type DeliveryTarget = DeliveryInfo & { url: string; secret: string; active: boolean };

/** What the delivery job needs to send one attempt. */
export async function deliveryTarget(d: Database, workspaceId: string, deliveryId: string): Promise<DeliveryTarget | null> {
  const rows = await d.db.select({ ...deliveryColumns, url: webhook.url, secret: webhook.secret, active: webhook.active })
    .from(webhookDelivery)
    .innerJoin(webhook, and(eq(webhook.workspaceId, webhookDelivery.workspaceId), eq(webhook.id, webhookDelivery.webhookId)))
    .where(and(eq(webhookDelivery.workspaceId, workspaceId), eq(webhookDelivery.id, deliveryId)));
  return rows[0] ?? null;
}

/**
 * Records the outcome of attempt `attempt`, only if the delivery is still pending at the attempt
 * before it (a job run twice after a crash records once), and enqueues the next attempt when one
 * is due. Answers false when another run already recorded this attempt.
 */
export async function recordAttempt(
  tx: Db, workspaceId: string, deliveryId: string, attempt: number,
  outcome: { status: 'delivered' | 'failed' | 'pending'; responseCode: number | null; error: string | null; nextAttemptAt: Date | null; at: Date },
): Promise<boolean> {
  const rows = await tx.update(webhookDelivery).set({
    attempts: attempt, status: outcome.status, responseCode: outcome.responseCode, lastError: outcome.error,
    nextAttemptAt: outcome.nextAttemptAt, finishedAt: outcome.status === 'pending' ? null : outcome.at,
  }).where(and(eq(webhookDelivery.workspaceId, workspaceId), eq(webhookDelivery.id, deliveryId),
    eq(webhookDelivery.status, 'pending'), eq(webhookDelivery.attempts, attempt - 1))).returning({ id: webhookDelivery.id });
  if (!rows.length) return false;
  if (outcome.status === 'pending' && outcome.nextAttemptAt) {
    await enqueueJob(tx, {
      workspaceId, id: deliveryJobId(deliveryId, attempt + 1), kind: WEBHOOK_JOB, payload: { deliveryId, attempt: attempt + 1 },
      runAt: outcome.nextAttemptAt, maxAttempts: 3,
    });
  }
  return true;
}
