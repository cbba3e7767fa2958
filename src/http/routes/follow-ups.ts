import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  completeFollowUpInTx, followUpList, getFollowUpView, listFollowUps, updateFollowUpInTx, type FollowUpPatch,
} from '../../db/queries/follow-ups.js';
import { getFeedbackView } from '../../db/queries/feedback.js';
import { write } from '../../db/repository.js';
import { followUpStatuses } from '../../domain/follow-up.js';
import { expectedVersion } from '../resource.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { IdParam, listQuerySchema, pageOf, problemResponses, recordMeta, Timestamp, TimestampOut, Uuid } from '../schemas.js';
import { answerFields, FeedbackOut } from './feedback.js';

type AnyRow = Record<string, unknown>;
const withEtag = (c: Context<AppEnv>, row: AnyRow) => c.header('ETag', `"${String(row['version'])}"`);

export const FollowUpOut = z.object({
  ...recordMeta,
  saleId: Uuid, soldAt: TimestampOut.nullable(), saleTotal: z.number().nullable(),
  contactId: Uuid.nullable(), contactName: z.string().nullable(),
  userId: Uuid.nullable().openapi({ description: 'The seller who follows up' }), userName: z.string().nullable(),
  dueAt: TimestampOut, status: z.enum(followUpStatuses), doneAt: TimestampOut.nullable(), outcome: z.string().nullable(),
  feedbackId: Uuid.nullable(),
}).openapi('FollowUp');

export const FollowUpPatchIn = z.strictObject({
  dueAt: Timestamp.optional().openapi({ description: 'Must stay inside the workspace window (settings.followUpWindow, default day 2 to day 7 after the sale)' }),
  status: z.enum(followUpStatuses).optional().openapi({ description: 'Cancel, or plan again; done only through …/complete' }),
  userId: Uuid.optional().openapi({ description: 'Hand it to another seller (managers and admins)' }),
  outcome: z.string().trim().max(2000).nullish(),
  version: z.number().int().optional(),
}).openapi('FollowUpPatch');

export const FollowUpCompleteIn = z.strictObject({
  ...answerFields,
  outcome: z.string().trim().max(2000).nullish().openapi({ description: 'What came out of the conversation' }),
  version: z.number().int().optional(),
}).openapi('FollowUpCompletion');

export const FollowUpCompleteOut = z.object({
  followUp: FollowUpOut, feedback: FeedbackOut, activityId: Uuid.openapi({ description: 'The interaction logged on the contact' }),
}).openapi('FollowUpCompleted');

export function followUpRoutes(deps: Deps) {
  const r = newRouter();

  r.openapi(createRoute({
    method: 'get', path: '/follow-ups', tags: ['follow-ups'], summary: 'Post-sale follow-ups (yours, your team\'s, or all for admins), by due date',
    request: { query: listQuerySchema(followUpList) },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: pageOf(FollowUpOut) } } }, ...problemResponses },
  }), async (c) => {
    const page = await listFollowUps(deps.database, c.get('actor'), c.req.valid('query') as Record<string, string>);
    return c.json(page as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/follow-ups/{id}', tags: ['follow-ups'], summary: 'One follow-up',
    request: { params: IdParam },
    responses: { 200: { description: 'The follow-up', content: { 'application/json': { schema: FollowUpOut } } }, ...problemResponses },
  }), async (c) => {
    const row = await getFollowUpView(deps.database, c.get('actor'), c.req.valid('param').id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'patch', path: '/follow-ups/{id}', tags: ['follow-ups'],
    summary: 'Move (inside the window), reassign, cancel or re-plan a follow-up (send If-Match or version)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: FollowUpPatchIn } }, required: true } },
    responses: { 200: { description: 'Updated', content: { 'application/json': { schema: FollowUpOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { version, dueAt, ...rest } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    const patch: FollowUpPatch = { ...rest, ...(dueAt !== undefined ? { dueAt: new Date(dueAt) } : {}) };
    await write(deps.database, (tx) => updateFollowUpInTx(tx, actor, id, patch, expected));
    const row = await getFollowUpView(deps.database, actor, id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/follow-ups/{id}/complete', tags: ['follow-ups'],
    summary: 'Record the client\'s answer: stores the feedback, marks the follow-up done and logs the interaction on the contact',
    request: { params: IdParam, body: { content: { 'application/json': { schema: FollowUpCompleteIn } }, required: true } },
    responses: { 200: { description: 'Done', content: { 'application/json': { schema: FollowUpCompleteOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { version, ...input } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    const done = await write(deps.database, (tx) => completeFollowUpInTx(tx, actor, id, input, expected, deps.now()));
    const followUp = await getFollowUpView(deps.database, actor, id);
    const feedback = await getFeedbackView(deps.database, actor.workspaceId, done.feedback['id'] as string);
    withEtag(c, followUp);
    return c.json({ followUp, feedback, activityId: done.activity['id'] } as never, 200);
  });
  return r;
}
