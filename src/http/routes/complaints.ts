import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  addComplaintNoteInTx, complaintList, createComplaintInTx, getComplaintView, listComplaintEvents, listComplaints, updateComplaintInTx,
  type ComplaintPatch,
} from '../../db/queries/complaints.js';
import { write } from '../../db/repository.js';
import { complaintCategories, complaintResolutions, complaintStatuses } from '../../domain/complaint.js';
import { expectedVersion } from '../resource.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { IdParam, listQuerySchema, NonBlankText, pageOf, problemResponses, recordMeta, Timestamp, TimestampOut, Uuid } from '../schemas.js';

type AnyRow = Record<string, unknown>;
const withEtag = (c: Context<AppEnv>, row: AnyRow) => c.header('ETag', `"${String(row['version'])}"`);
const toDate = (s: string | null | undefined) => (s === undefined ? undefined : s === null ? null : new Date(s));

export const ComplaintIn = z.strictObject({
  contactId: Uuid.nullish().openapi({ description: 'The client; defaults to the sale\'s client. A contact or a sale is required' }),
  saleId: Uuid.nullish(),
  category: z.enum(complaintCategories),
  description: NonBlankText(20_000),
  ownerId: Uuid.nullish().openapi({ description: 'Who handles it (default: you; only managers and admins assign others)' }),
  dueAt: Timestamp.nullish().openapi({ description: 'When it should be settled; past it and not resolved it is overdue' }),
}).openapi('ComplaintInput');

export const ComplaintPatchIn = z.strictObject({
  category: z.enum(complaintCategories).optional(),
  description: NonBlankText(20_000).optional(),
  ownerId: Uuid.nullish(),
  dueAt: Timestamp.nullish(),
  status: z.enum(complaintStatuses).optional().openapi({ description: 'open → in_progress → resolved; a resolved complaint can be reopened' }),
  resolution: z.enum(complaintResolutions).nullish().openapi({ description: 'Required to resolve' }),
  note: z.string().max(20_000).nullish().openapi({ description: 'Written on the timeline with the change' }),
  version: z.number().int().optional(),
}).openapi('ComplaintPatch');

export const ComplaintOut = z.object({
  ...recordMeta,
  contactId: Uuid.nullable(), contactName: z.string().nullable(), saleId: Uuid.nullable(),
  category: z.enum(complaintCategories), description: z.string(), status: z.enum(complaintStatuses),
  resolution: z.enum(complaintResolutions).nullable(), resolvedAt: TimestampOut.nullable(),
  ownerId: Uuid.nullable(), ownerName: z.string().nullable(), dueAt: TimestampOut.nullable(), createdBy: Uuid.nullable(),
  overdue: z.boolean().openapi({ description: 'Past dueAt and not resolved' }),
}).openapi('Complaint');

export const ComplaintEventIn = z.strictObject({ body: NonBlankText(20_000) }).openapi('ComplaintNoteInput');
export const ComplaintEventOut = z.object({
  id: Uuid, complaintId: Uuid, kind: z.enum(['status', 'note']),
  fromStatus: z.enum(complaintStatuses).nullable(), toStatus: z.enum(complaintStatuses).nullable(),
  resolution: z.enum(complaintResolutions).nullable(), body: z.string().nullable(),
  userId: Uuid.nullable(), userName: z.string().nullable(), at: TimestampOut,
}).openapi('ComplaintEvent');

export function complaintRoutes(deps: Deps) {
  const r = newRouter();
  const view = (workspaceId: string, id: string) => getComplaintView(deps.database, workspaceId, id, deps.now());

  r.openapi(createRoute({
    method: 'get', path: '/complaints', tags: ['complaints'], summary: 'Complaints, newest first',
    request: { query: listQuerySchema(complaintList) },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: pageOf(ComplaintOut) } } }, ...problemResponses },
  }), async (c) => {
    const page = await listComplaints(deps.database, c.get('actor'), c.req.valid('query') as Record<string, string>, deps.now());
    return c.json(page as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/complaints/{id}', tags: ['complaints'], summary: 'One complaint',
    request: { params: IdParam },
    responses: { 200: { description: 'The complaint', content: { 'application/json': { schema: ComplaintOut } } }, ...problemResponses },
  }), async (c) => {
    const row = await view(c.get('actor').workspaceId, c.req.valid('param').id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/complaints', tags: ['complaints'], summary: 'Open a complaint about a contact or a sale',
    request: { body: { content: { 'application/json': { schema: ComplaintIn } }, required: true } },
    responses: { 201: { description: 'Created', content: { 'application/json': { schema: ComplaintOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { dueAt, ...input } = c.req.valid('json');
    const created = await write(deps.database, (tx) => createComplaintInTx(tx, actor, { ...input, dueAt: toDate(dueAt) ?? null }, deps.now()));
    const row = await view(actor.workspaceId, created['id'] as string);
    withEtag(c, row);
    c.header('Location', `/api/v1/complaints/${String(row['id'])}`);
    return c.json(row as never, 201);
  });

  r.openapi(createRoute({
    method: 'patch', path: '/complaints/{id}', tags: ['complaints'],
    summary: 'Edit a complaint or change its status (each status change is written on its timeline; send If-Match or version)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: ComplaintPatchIn } }, required: true } },
    responses: { 200: { description: 'Updated', content: { 'application/json': { schema: ComplaintOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { version, dueAt, ...rest } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    const patch: ComplaintPatch = { ...rest, ...(dueAt !== undefined ? { dueAt: toDate(dueAt) ?? null } : {}) };
    await write(deps.database, (tx) => updateComplaintInTx(tx, actor, id, patch, expected, deps.now()));
    const row = await view(actor.workspaceId, id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/complaints/{id}/events', tags: ['complaints'], summary: 'The complaint\'s timeline (status changes and notes), oldest first',
    request: { params: IdParam },
    responses: { 200: { description: 'Timeline', content: { 'application/json': { schema: z.object({ data: z.array(ComplaintEventOut) }) } } }, ...problemResponses },
  }), async (c) => {
    const data = await listComplaintEvents(deps.database.db, c.get('actor').workspaceId, c.req.valid('param').id);
    return c.json({ data } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/complaints/{id}/events', tags: ['complaints'], summary: 'Add a note to the complaint\'s timeline (stored as typed)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: ComplaintEventIn } }, required: true } },
    responses: { 201: { description: 'Created', content: { 'application/json': { schema: ComplaintEventOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { body } = c.req.valid('json');
    const row = await write(deps.database, (tx) => addComplaintNoteInTx(tx, actor, c.req.valid('param').id, body, deps.now()));
    return c.json(row as never, 201);
  });
  return r;
}
