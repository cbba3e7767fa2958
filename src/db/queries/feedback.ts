import { and, eq } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { AppError, fieldError, notFound } from '../../domain/errors.js';
import {
  checkAnsweredAt, checkFeedbackAnswers, satisfactionLinkState, summarizeFeedback, type FeedbackAnswers, type FeedbackChannel, type FeedbackSummary,
} from '../../domain/feedback.js';
import type { Database, Db } from '../client.js';
import { buildListQuery, runList, selectList, type ListParams, type ListSpec, type Page } from '../list.js';
import { insertRow } from '../repository.js';
import { recordAudit } from '../audit.js';
import { contact, feedback, feedbackChannels, sale, satisfactionRequest, workspace } from '../schema.js';

type AnyRow = Record<string, unknown>;

export type FeedbackInput = {
  saleId?: string | null;
  contactId?: string | null;
  nps?: number | null;
  satisfaction?: number | null;
  comment?: string | null;
  channel: FeedbackChannel;
  answeredAt?: Date | null;
};

/** The sale named in a request, or 422 on `saleId` (a sale of another workspace does not exist here). */
export async function findSaleRef(tx: Db, workspaceId: string, saleId: string, field = 'saleId') {
  const rows = await tx.select({ id: sale.id, contactId: sale.contactId, companyId: sale.companyId, ownerId: sale.ownerId, soldAt: sale.soldAt })
    .from(sale).where(and(eq(sale.workspaceId, workspaceId), eq(sale.id, saleId)));
  if (!rows[0]) throw fieldError(field, 'not_found', 'No such sale in this workspace.');
  return rows[0];
}

export async function assertContactRef(tx: Db, workspaceId: string, contactId: string, field = 'contactId'): Promise<void> {
  const rows = await tx.select({ id: contact.id }).from(contact).where(and(eq(contact.workspaceId, workspaceId), eq(contact.id, contactId)));
  if (!rows[0]) throw fieldError(field, 'not_found', 'No such contact in this workspace.');
}

/**
 * Resolves the contact and sale an answer (or complaint) is about: the contact defaults to the
 * sale's, and a contact that is not the sale's client is refused rather than silently kept.
 */
export async function resolveSaleAndContact(
  tx: Db, workspaceId: string, input: { saleId?: string | null; contactId?: string | null },
): Promise<{ saleId: string | null; contactId: string | null }> {
  const saleId = input.saleId ?? null;
  let contactId = input.contactId ?? null;
  if (saleId) {
    const s = await findSaleRef(tx, workspaceId, saleId);
    if (contactId && s.contactId && contactId !== s.contactId) {
      throw fieldError('contactId', 'not_matching_sale', 'This contact is not the client of that sale.');
    }
    contactId ??= s.contactId;
  }
  if (input.contactId) await assertContactRef(tx, workspaceId, input.contactId);
  return { saleId, contactId };
}

/** Records one satisfaction answer, audited. `userId` is who recorded it (null for the client on the public page). */
export async function recordFeedbackInTx(tx: Db, actor: Actor, input: FeedbackInput, now: Date, userId: string | null = actor.userId): Promise<AnyRow> {
  checkFeedbackAnswers(input);
  if (input.answeredAt) checkAnsweredAt(input.answeredAt, now);
  if (!input.saleId && !input.contactId) throw fieldError('saleId', 'required', 'An answer is about a sale or a contact.');
  const refs = await resolveSaleAndContact(tx, actor.workspaceId, input);
  return insertRow(tx, feedback, actor, 'feedback', {
    ...refs, userId, nps: input.nps ?? null, satisfaction: input.satisfaction ?? null,
    comment: input.comment?.trim() || null, channel: input.channel, answeredAt: input.answeredAt ?? now,
  });
}

export const feedbackList: ListSpec = {
  table: feedback,
  scope: 'workspace',
  filters: {
    saleId: { kind: 'in', column: 'sale_id', type: 'uuid' },
    contactId: { kind: 'in', column: 'contact_id', type: 'uuid' },
    userId: { kind: 'in', column: 'user_id', type: 'uuid' },
    channel: { kind: 'enum', column: 'channel', values: feedbackChannels },
    answeredFrom: { kind: 'gte', column: 'answered_at', type: 'timestamp' },
    answeredTo: { kind: 'lt', column: 'answered_at', type: 'timestamp' },
  },
  sorts: {
    answeredAt: { expr: 'answered_at', type: 'timestamp' },
    createdAt: { expr: 'created_at', type: 'timestamp' },
  },
  defaultSort: '-answeredAt',
};

export const feedbackSelect = `${selectList(feedback)},
  (SELECT concat_ws(' ', c.first_name, c.last_name, c.second_last_name) FROM contact c WHERE c.workspace_id = feedback.workspace_id AND c.id = feedback.contact_id) AS "contactName"`;

export async function listFeedback(database: Database, actor: Actor, params: ListParams): Promise<Page<AnyRow>> {
  return runList<AnyRow>(database, buildListQuery(feedbackList, actor, params, { select: feedbackSelect }));
}

export async function getFeedbackView(db: Database, workspaceId: string, id: string): Promise<AnyRow> {
  const rows = await db.query(`SELECT ${feedbackSelect} FROM feedback WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  if (!rows[0]) throw notFound('feedback');
  return rows[0];
}

export type SummaryFilter = { from?: Date; to?: Date; userId?: string; saleOwnerId?: string };

/**
 * NPS and average satisfaction over a period. SQL only groups by score; the categories and the
 * formula stay in the domain (summarizeFeedback).
 */
export async function feedbackSummary(database: Database, workspaceId: string, f: SummaryFilter): Promise<FeedbackSummary> {
  const values: unknown[] = [workspaceId];
  const p = (v: unknown) => { values.push(v); return `$${values.length}`; };
  const where = ['f.workspace_id = $1'];
  if (f.from) where.push(`f.answered_at >= ${p(f.from.toISOString())}`);
  if (f.to) where.push(`f.answered_at < ${p(f.to.toISOString())}`);
  if (f.userId) where.push(`f.user_id = ${p(f.userId)}`);
  if (f.saleOwnerId) where.push(`EXISTS (SELECT 1 FROM sale s WHERE s.workspace_id = f.workspace_id AND s.id = f.sale_id AND s.owner_id = ${p(f.saleOwnerId)})`);
  const w = where.join(' AND ');
  const [npsRows, satRows] = await Promise.all([
    database.query<{ score: number; count: number }>(`SELECT f.nps AS score, count(*)::int AS count FROM feedback f WHERE ${w} AND f.nps IS NOT NULL GROUP BY f.nps`, values),
    database.query<{ score: number; count: number }>(`SELECT f.satisfaction AS score, count(*)::int AS count FROM feedback f WHERE ${w} AND f.satisfaction IS NOT NULL GROUP BY f.satisfaction`, values),
  ]);
  return summarizeFeedback(npsRows, satRows);
}

export type SatisfactionLink = { id: string; email: string | null; expiresAt: Date; locale: string; workspaceName: string; contactName: string | null };

/**
 * Creates a satisfaction link about a sale or a contact. Only the sha256 of the link's secret is
 * stored; the caller builds the URL from the secret and sends it.
 */
export async function createSatisfactionRequestInTx(
  tx: Db, actor: Actor, input: { saleId?: string | null; contactId?: string | null }, tokenHash: string, now: Date, expiresAt: Date,
): Promise<SatisfactionLink> {
  if (!input.saleId && !input.contactId) throw fieldError('saleId', 'required', 'A satisfaction link is about a sale or a contact.');
  const refs = await resolveSaleAndContact(tx, actor.workspaceId, input);
  const [c] = refs.contactId
    ? await tx.select({ email: contact.email, firstName: contact.firstName }).from(contact)
      .where(and(eq(contact.workspaceId, actor.workspaceId), eq(contact.id, refs.contactId)))
    : [];
  const [w] = await tx.select({ name: workspace.name, locale: workspace.locale }).from(workspace).where(eq(workspace.id, actor.workspaceId));
  const [row] = await tx.insert(satisfactionRequest).values({
    workspaceId: actor.workspaceId, ...refs, tokenHash, email: c?.email ?? null, createdBy: actor.userId, createdAt: now, expiresAt,
  }).returning();
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity: 'satisfactionRequest', entityId: row!.id, action: 'create', after: row! });
  return { id: row!.id, email: row!.email, expiresAt, locale: w?.locale ?? 'es', workspaceName: w?.name ?? '', contactName: c?.firstName ?? null };
}

export async function markSatisfactionEmailed(database: Database, workspaceId: string, id: string, at: Date): Promise<void> {
  await database.db.update(satisfactionRequest).set({ emailedAt: at })
    .where(and(eq(satisfactionRequest.workspaceId, workspaceId), eq(satisfactionRequest.id, id)));
}

export type PublicSatisfactionRequest = {
  workspaceId: string; id: string; saleId: string | null; contactId: string | null; expiresAt: Date; answeredAt: Date | null;
  workspaceName: string; locale: string; contactName: string | null;
};

const publicSelect = `SELECT r.workspace_id AS "workspaceId", r.id, r.sale_id AS "saleId", r.contact_id AS "contactId",
    r.expires_at AS "expiresAt", r.answered_at AS "answeredAt", w.name AS "workspaceName", w.locale,
    (SELECT c.first_name FROM contact c WHERE c.workspace_id = r.workspace_id AND c.id = r.contact_id) AS "contactName"
   FROM satisfaction_request r JOIN workspace w ON w.id = r.workspace_id
  WHERE r.token_hash = $1`;

/** The link behind a public page, found by the hash of its secret; null when there is none. */
export async function findSatisfactionRequest(database: Database, tokenHash: string): Promise<PublicSatisfactionRequest | null> {
  const rows = await database.query<PublicSatisfactionRequest>(publicSelect, [tokenHash], 'satisfaction_request_by_token');
  return rows[0] ?? null;
}

/**
 * The client's answer on the public page: recorded once (the row is locked, so two quick submits
 * cannot both pass), as a `web` answer with no user, audited without a user.
 */
export async function answerSatisfactionRequestInTx(tx: Db, tokenHash: string, answers: FeedbackAnswers, now: Date): Promise<AnyRow> {
  const [req] = await tx.select().from(satisfactionRequest).where(eq(satisfactionRequest.tokenHash, tokenHash)).for('update');
  if (!req) throw notFound('satisfaction link');
  const state = satisfactionLinkState(req, now);
  if (state !== 'open') throw new AppError('conflict', `The satisfaction link is ${state}.`, [], { reason: state });
  checkFeedbackAnswers(answers);
  const [fb] = await tx.insert(feedback).values({
    workspaceId: req.workspaceId, saleId: req.saleId, contactId: req.contactId, userId: null, nps: answers.nps ?? null,
    satisfaction: answers.satisfaction ?? null, comment: answers.comment?.trim() || null, channel: 'web', answeredAt: now,
  }).returning();
  await recordAudit(tx, { workspaceId: req.workspaceId, userId: null, entity: 'feedback', entityId: fb!.id, action: 'create', after: fb!, meta: { satisfactionRequestId: req.id } });
  await tx.update(satisfactionRequest).set({ answeredAt: now, feedbackId: fb!.id })
    .where(and(eq(satisfactionRequest.workspaceId, req.workspaceId), eq(satisfactionRequest.id, req.id)));
  return fb!;
}
