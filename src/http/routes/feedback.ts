import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { feedbackSummary, feedbackList, getFeedbackView, listFeedback, recordFeedbackInTx } from '../../db/queries/feedback.js';
import { write } from '../../db/repository.js';
import { feedbackChannels, NPS_MAX, NPS_MIN, SATISFACTION_MAX, SATISFACTION_MIN } from '../../domain/feedback.js';
import { fieldError } from '../../domain/errors.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { IdParam, listQuerySchema, pageOf, problemResponses, recordMeta, Timestamp, TimestampOut, Uuid } from '../schemas.js';

type AnyRow = Record<string, unknown>;
const withEtag = (c: Context<AppEnv>, row: AnyRow) => c.header('ETag', `"${String(row['version'])}"`);

/** The answers a client gives; shared by feedback creation and follow-up completion. */
export const answerFields = {
  nps: z.number().int().min(NPS_MIN).max(NPS_MAX).nullish().openapi({ description: 'How likely to recommend us, 0–10' }),
  satisfaction: z.number().int().min(SATISFACTION_MIN).max(SATISFACTION_MAX).nullish().openapi({ description: 'Satisfaction, 1–5' }),
  comment: z.string().max(5000).nullish(),
  channel: z.enum(feedbackChannels).openapi({ description: 'How the answer was collected' }),
};

export const FeedbackIn = z.strictObject({
  ...answerFields,
  saleId: Uuid.nullish().openapi({ description: 'The sale it is about; the contact defaults to its client' }),
  contactId: Uuid.nullish(),
  answeredAt: Timestamp.optional().openapi({ description: 'When the client answered (default now)' }),
}).openapi('FeedbackInput');

export const FeedbackOut = z.object({
  ...recordMeta,
  saleId: Uuid.nullable(), contactId: Uuid.nullable(), contactName: z.string().nullable(), userId: Uuid.nullable(),
  nps: z.number().int().nullable(), satisfaction: z.number().int().nullable(), comment: z.string().nullable(),
  channel: z.enum(feedbackChannels), answeredAt: TimestampOut,
}).openapi('Feedback');

export const FeedbackSummaryOut = z.object({
  promoters: z.number().int(), passives: z.number().int(), detractors: z.number().int(), npsAnswers: z.number().int(),
  nps: z.number().nullable().openapi({ description: '% promoters − % detractors (−100…100, one decimal); null without answers' }),
  satisfactionAnswers: z.number().int(), averageSatisfaction: z.number().nullable(),
}).openapi('FeedbackSummary');

const SummaryQuery = z.strictObject({
  from: Timestamp.optional().openapi({ description: 'Answered at or after' }),
  to: Timestamp.optional().openapi({ description: 'Answered before' }),
  userId: Uuid.optional().openapi({ description: 'Recorded by this user' }),
  saleOwnerId: Uuid.optional().openapi({ description: 'About sales of this seller' }),
});

export function feedbackRoutes(deps: Deps) {
  const r = newRouter();

  // Declared before /feedback/{id} so "summary" is not read as an id.
  r.openapi(createRoute({
    method: 'get', path: '/feedback/summary', tags: ['feedback'], summary: 'NPS and average satisfaction over a period',
    request: { query: SummaryQuery },
    responses: { 200: { description: 'Summary', content: { 'application/json': { schema: FeedbackSummaryOut } } }, ...problemResponses },
  }), async (c) => {
    const q = c.req.valid('query');
    const from = q.from ? new Date(q.from) : undefined;
    const to = q.to ? new Date(q.to) : undefined;
    if (from && to && to <= from) throw fieldError('to', 'too_small', 'to must be after from.');
    const s = await feedbackSummary(deps.database, c.get('actor').workspaceId, {
      ...(from ? { from } : {}), ...(to ? { to } : {}), ...(q.userId ? { userId: q.userId } : {}), ...(q.saleOwnerId ? { saleOwnerId: q.saleOwnerId } : {}),
    });
    return c.json(s, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/feedback', tags: ['feedback'], summary: 'Satisfaction and NPS answers, newest first',
    request: { query: listQuerySchema(feedbackList) },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: pageOf(FeedbackOut) } } }, ...problemResponses },
  }), async (c) => {
    const page = await listFeedback(deps.database, c.get('actor'), c.req.valid('query') as Record<string, string>);
    return c.json(page as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/feedback/{id}', tags: ['feedback'], summary: 'One satisfaction answer',
    request: { params: IdParam },
    responses: { 200: { description: 'The answer', content: { 'application/json': { schema: FeedbackOut } } }, ...problemResponses },
  }), async (c) => {
    const row = await getFeedbackView(deps.database, c.get('actor').workspaceId, c.req.valid('param').id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/feedback', tags: ['feedback'], summary: 'Record a satisfaction / NPS answer about a sale or a contact',
    request: { body: { content: { 'application/json': { schema: FeedbackIn } }, required: true } },
    responses: { 201: { description: 'Created', content: { 'application/json': { schema: FeedbackOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { answeredAt, ...input } = c.req.valid('json');
    const created = await write(deps.database, (tx) => recordFeedbackInTx(tx, actor, {
      ...input, ...(answeredAt ? { answeredAt: new Date(answeredAt) } : {}),
    }, deps.now()));
    const row = await getFeedbackView(deps.database, actor.workspaceId, created['id'] as string);
    withEtag(c, row);
    c.header('Location', `/api/v1/feedback/${String(row['id'])}`);
    return c.json(row as never, 201);
  });
  return r;
}
