import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { activityTypes } from '../../domain/activity.js';
import type { NextAction } from '../../domain/lead.js';
import {
  addComment, completeActivityInTx, deleteActivityInTx, getActivity, listComments, listTimeline, logActivity, timelineFilters,
  updateActivityInTx, type ActivityPatch,
} from '../../db/queries/activities.js';
import { write } from '../../db/repository.js';
import { nextActionTypes } from '../../db/schema.js';
import { expectedVersion } from '../resource.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { IdParam, NonBlankText, pageOf, problemResponses, recordMeta, Timestamp, TimestampOut, Uuid } from '../schemas.js';

type AnyRow = Record<string, unknown>;

const withEtag = (c: Context<AppEnv>, row: AnyRow) => c.header('ETag', `"${String(row['version'])}"`);
const toDate = (s: string | null | undefined) => (s === undefined ? undefined : s === null ? null : new Date(s));

export const NextActionIn = z.strictObject({
  at: Timestamp.openapi({ description: 'When the next action is due (must not be in the past)' }),
  type: z.enum(nextActionTypes),
  note: z.string().trim().max(2000).nullish(),
}).openapi('NextActionInput');

const toNextAction = (n: z.infer<typeof NextActionIn> | undefined): NextAction | undefined =>
  n ? { at: new Date(n.at), type: n.type, note: n.note ?? null } : undefined;

const editable = {
  direction: z.enum(['inbound', 'outbound']).nullish(),
  subject: z.string().trim().max(300).nullish(),
  body: z.string().max(20_000).nullish(),
  outcome: z.string().trim().max(2000).nullish(),
  contactId: Uuid.nullish(),
  companyId: Uuid.nullish(),
  userId: Uuid.nullish().openapi({ description: 'Who did it or has to do it (default: you; only managers and admins assign others)' }),
};

export const ActivityIn = z.strictObject({
  type: z.enum(activityTypes),
  ...editable,
  occurredAt: Timestamp.optional().openapi({ description: 'When a logged interaction happened (default now). Not with dueAt.' }),
  dueAt: Timestamp.optional().openapi({ description: 'When a planned activity (e.g. a task) is due. Not with occurredAt.' }),
  leadId: Uuid.nullish().openapi({ description: "The lead it is about; its contact and company are copied when not given" }),
  nextAction: NextActionIn.optional().openapi({ description: 'Required when a done interaction is logged on an open lead' }),
}).openapi('ActivityInput');

export const ActivityPatchIn = z.strictObject({
  type: z.enum(activityTypes).optional(),
  ...editable,
  occurredAt: Timestamp.optional(),
  dueAt: Timestamp.nullish(),
  version: z.number().int().optional(),
}).openapi('ActivityPatch');

export const CompleteIn = z.strictObject({
  outcome: z.string().trim().max(2000).nullish(),
  note: z.string().trim().max(20_000).nullish().openapi({ description: 'Added as a comment on the activity' }),
  nextAction: NextActionIn.optional().openapi({ description: 'Required when the activity is on an open lead' }),
}).openapi('ActivityCompletion');

export const ActivityOut = z.object({
  ...recordMeta,
  type: z.enum(activityTypes), direction: z.enum(['inbound', 'outbound']).nullable(),
  subject: z.string().nullable(), body: z.string().nullable(), outcome: z.string().nullable(),
  occurredAt: TimestampOut.nullable(), dueAt: TimestampOut.nullable(), doneAt: TimestampOut.nullable(),
  leadId: Uuid.nullable(), contactId: Uuid.nullable(), companyId: Uuid.nullable(),
  userId: Uuid.nullable(), userName: z.string().nullable(),
}).openapi('Activity');

export const CommentIn = z.strictObject({ body: NonBlankText(20_000) }).openapi('CommentInput');
export const CommentOut = z.object({
  id: Uuid, activityId: Uuid, userId: Uuid.nullable(), userName: z.string().nullable(), body: z.string(), createdAt: TimestampOut,
}).openapi('Comment');

const filterDescriptions: Record<(typeof timelineFilters)[number], string> = {
  leadId: 'Activities on this lead',
  contactId: 'This contact\'s timeline, including activities on their leads',
  companyId: 'This company\'s timeline, including activities on its leads and contacts',
  userId: 'Done by, or assigned to, this user',
  type: `One type or several separated by commas: ${activityTypes.join(', ')}`,
  done: 'true for done activities, false for planned ones',
  dueFrom: 'Due at or after (inclusive)', dueTo: 'Due before (exclusive)',
  occurredFrom: 'Happened at or after (inclusive)', occurredTo: 'Happened before (exclusive)',
};

const TimelineQuery = z.strictObject({
  ...Object.fromEntries(timelineFilters.map((f) => [f, z.string().optional().openapi({ description: filterDescriptions[f] })])),
  sort: z.string().optional().openapi({ description: '-at (default: newest first) or at; at is when it happened, or is due' }),
  limit: z.string().optional().openapi({ description: 'Page size, 1–500 (default 50)' }),
  cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
});

export function activityRoutes(deps: Deps) {
  const r = newRouter();
  const view = (c: Context<AppEnv>, id: string) => getActivity(deps.database.db, c.get('actor'), id);

  r.openapi(createRoute({
    method: 'get', path: '/activities', tags: ['activities'], summary: 'Timeline: activities of a lead, contact, company or user',
    request: { query: TimelineQuery },
    responses: { 200: { description: 'A page, newest first', content: { 'application/json': { schema: pageOf(ActivityOut) } } }, ...problemResponses },
  }), async (c) => {
    const page = await listTimeline(deps.database, c.get('actor'), c.req.valid('query') as Record<string, string | undefined>);
    return c.json(page as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/activities/{id}', tags: ['activities'], summary: 'Get one activity',
    request: { params: IdParam },
    responses: { 200: { description: 'The activity', content: { 'application/json': { schema: ActivityOut } } }, ...problemResponses },
  }), async (c) => {
    const row = await view(c, c.req.valid('param').id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/activities', tags: ['activities'],
    summary: 'Log an interaction (occurredAt) or plan an activity (dueAt); on an open lead a done interaction needs nextAction',
    request: { body: { content: { 'application/json': { schema: ActivityIn } }, required: true } },
    responses: { 201: { description: 'Created', content: { 'application/json': { schema: ActivityOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { nextAction, occurredAt, dueAt, ...rest } = c.req.valid('json');
    const created = await write(deps.database, (tx) => logActivity(tx, actor, {
      ...rest, occurredAt: toDate(occurredAt), dueAt: toDate(dueAt), nextAction: toNextAction(nextAction),
    }, deps.now()));
    const row = await view(c, created['id'] as string);
    withEtag(c, row);
    c.header('Location', `/api/v1/activities/${String(row['id'])}`);
    return c.json(row as never, 201);
  });

  r.openapi(createRoute({
    method: 'post', path: '/activities/{id}/complete', tags: ['activities'],
    summary: 'Mark a planned activity done now; on an open lead it needs the next action',
    request: { params: IdParam, body: { content: { 'application/json': { schema: CompleteIn } }, required: true } },
    responses: { 200: { description: 'Done', content: { 'application/json': { schema: ActivityOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { nextAction, ...rest } = c.req.valid('json');
    await write(deps.database, (tx) => completeActivityInTx(tx, actor, id, { ...rest, nextAction: toNextAction(nextAction) }, deps.now()));
    const row = await view(c, id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'patch', path: '/activities/{id}', tags: ['activities'],
    summary: 'Edit an activity (author, their manager or an admin; send If-Match or version)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: ActivityPatchIn } }, required: true } },
    responses: { 200: { description: 'Updated', content: { 'application/json': { schema: ActivityOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { version, occurredAt, dueAt, ...rest } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    const patch: ActivityPatch = { ...rest, ...(occurredAt !== undefined ? { occurredAt: toDate(occurredAt) } : {}), ...(dueAt !== undefined ? { dueAt: toDate(dueAt) } : {}) };
    await write(deps.database, (tx) => updateActivityInTx(tx, actor, id, patch, expected, deps.now()));
    const row = await view(c, id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'delete', path: '/activities/{id}', tags: ['activities'], summary: 'Delete an activity (author, their manager or an admin)',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    await write(deps.database, (tx) => deleteActivityInTx(tx, actor, c.req.valid('param').id));
    return c.body(null, 204);
  });

  r.openapi(createRoute({
    method: 'get', path: '/activities/{id}/comments', tags: ['activities'], summary: "An activity's comments, oldest first",
    request: { params: IdParam },
    responses: { 200: { description: 'Comments', content: { 'application/json': { schema: z.object({ data: z.array(CommentOut) }) } } }, ...problemResponses },
  }), async (c) => {
    const data = await listComments(deps.database.db, c.get('actor'), c.req.valid('param').id);
    return c.json({ data } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/activities/{id}/comments', tags: ['activities'], summary: 'Comment on an activity (stored as typed; render it as text)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: CommentIn } }, required: true } },
    responses: { 201: { description: 'Created', content: { 'application/json': { schema: CommentOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { body } = c.req.valid('json');
    const row = await write(deps.database, (tx) => addComment(tx, actor, c.req.valid('param').id, body, deps.now()));
    return c.json(row as never, 201);
  });
  return r;
}
