import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Actor } from '../../domain/access.js';
import { assertManagerOrAdmin } from '../../domain/access.js';
import { weightedAmount } from '../../domain/lead.js';
import {
  buildLeadListQuery, cancelLeadInTx, createLeadInTx, deleteLeadInTx, getLeadView, leadList, moveLeadInTx, restoreLeadInTx,
  scheduleNextActionInTx, updateLeadInTx, type LeadInput,
} from '../../db/queries/leads.js';
import { enforceCapturePolicy } from '../../db/queries/capture-policy.js';
import { runList } from '../../db/list.js';
import { findRow, write } from '../../db/repository.js';
import { lead, nextActionTypes } from '../../db/schema.js';
import { assertVisible, expectedVersion } from '../resource.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { CustomFieldValues, DateOnly, IdParam, listQuerySchema, pageOf, problemResponses, recordMeta, Timestamp, TimestampOut, Uuid } from '../schemas.js';
import { CancelIn, RestoreIn } from './companies.js';
import { ScoreExplanationOut } from './score.js';

type AnyRow = Record<string, unknown>;

const leadFields = {
  title: z.string().trim().min(1).max(200),
  contactId: Uuid.nullish(),
  companyId: Uuid.nullish(),
  pipelineId: Uuid.optional().openapi({ description: 'Defaults to the default pipeline' }),
  stageId: Uuid.optional().openapi({ description: 'Defaults to the first open stage of the pipeline' }),
  probability: z.number().int().min(0).max(100).optional().openapi({ description: 'Defaults to the stage\'s probability' }),
  amount: z.number().min(0).max(999_999_999_999).optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. EUR').optional().openapi({ description: 'Defaults to the workspace currency' }),
  expectedCloseDate: DateOnly.nullish(),
  sourceId: Uuid.nullish(),
  campaignId: Uuid.nullish(),
  productIds: z.array(Uuid).max(100).optional(),
  ownerId: Uuid.nullish().openapi({ description: 'Defaults to you; only a manager or an admin can assign to someone else' }),
  sharedWith: z.array(Uuid).max(100).optional(),
  nextActionAt: Timestamp.nullish(),
  nextActionType: z.enum(nextActionTypes).nullish(),
  nextActionNote: z.string().trim().max(2000).nullish(),
  lostReason: z.string().trim().max(500).nullish(),
  customFields: z.record(z.string(), z.unknown()).optional(),
};

export const LeadIn = z.strictObject(leadFields).openapi('LeadInput');
const { pipelineId: _pipelineId, ...patchFields } = leadFields;
export const LeadPatch = z.strictObject({
  ...patchFields, title: leadFields.title.optional(), version: z.number().int().optional(),
}).openapi('LeadPatch', { description: 'A stageId moves the lead with the same rules as POST /leads/{id}/move' });

export const LeadOut = z.object({
  ...recordMeta,
  title: z.string(), contactId: Uuid.nullable(), companyId: Uuid.nullable(), pipelineId: Uuid, stageId: Uuid,
  score: z.number().int().openapi({ description: 'Computed from the workspace score rules (read-only); see scoreExplanation' }),
  scoreExplanation: ScoreExplanationOut,
  probability: z.number().int(), amount: z.number(), currency: z.string(),
  expectedCloseDate: z.string().nullable(), sourceId: Uuid.nullable(), campaignId: Uuid.nullable(), productIds: z.array(Uuid),
  ownerId: Uuid.nullable(), sharedWith: z.array(Uuid),
  nextActionAt: TimestampOut.nullable(), nextActionType: z.enum(nextActionTypes).nullable(), nextActionNote: z.string().nullable(),
  status: z.enum(['open', 'won', 'lost', 'cancelled']), lostReason: z.string().nullable(), cancelReason: z.string().nullable(),
  closedAt: TimestampOut.nullable(), cancelledAt: TimestampOut.nullable(), lastActivityAt: TimestampOut.nullable(),
  customFields: CustomFieldValues,
  contactName: z.string().nullable(), companyName: z.string().nullable(), stageName: z.string().nullable(),
  ownerName: z.string().nullable(), sourceName: z.string().nullable(),
  weightedAmount: z.number().openapi({ description: 'amount × probability / 100' }),
}).openapi('Lead');

export const MoveIn = z.strictObject({
  stageId: Uuid,
  lostReason: z.string().trim().max(500).nullish().openapi({ description: 'Required when the stage is a lost stage' }),
  probability: z.number().int().min(0).max(100).nullish().openapi({ description: 'Defaults to the stage\'s probability' }),
  version: z.number().int().optional(),
}).openapi('LeadMove');

export const NextActionIn = z.strictObject({
  at: Timestamp,
  type: z.enum(nextActionTypes),
  note: z.string().trim().max(2000).nullish(),
  version: z.number().int().optional(),
}).openapi('LeadNextAction');

/** Adds the computed weighted amount; the domain owns the formula. */
export function presentLead(row: AnyRow): AnyRow {
  return { ...row, weightedAmount: weightedAmount(Number(row['amount'] ?? 0), Number(row['probability'] ?? 0)) };
}

/** JSON timestamps become Dates for the storage layer. */
function toLeadInput(body: AnyRow): Partial<LeadInput> {
  const out: AnyRow = { ...body };
  if (typeof body['nextActionAt'] === 'string') out['nextActionAt'] = new Date(body['nextActionAt']);
  return out as Partial<LeadInput>;
}

const withEtag = (c: Context<AppEnv>, row: AnyRow) => c.header('ETag', `"${String(row['version'])}"`);

export function leadRoutes(deps: Deps) {
  const r = newRouter();
  const path = '/leads';
  const idPath = `${path}/{id}`;
  const view = async (actor: Actor, id: string) => presentLead(await getLeadView(deps.database, actor.workspaceId, id));
  const ok = (c: Context<AppEnv>, row: AnyRow) => { withEtag(c, row); return c.json(row as never, 200); };
  const item = { content: { 'application/json': { schema: LeadOut } } };

  r.openapi(createRoute({
    method: 'get', path, tags: ['leads'], summary: 'List leads (the board and its filters)',
    request: { query: listQuerySchema(leadList) },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: pageOf(LeadOut) } } }, ...problemResponses },
  }), async (c) => {
    const page = await runList<AnyRow>(deps.database, buildLeadListQuery(c.get('actor'), c.req.valid('query') as Record<string, string>));
    return c.json({ data: page.data.map(presentLead), nextCursor: page.nextCursor } as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: idPath, tags: ['leads'], summary: 'Get one lead',
    request: { params: IdParam },
    responses: { 200: { description: 'lead', ...item }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const row = await view(actor, c.req.valid('param').id);
    await assertVisible(deps, actor, { list: leadList, entity: 'lead' }, row);
    return ok(c, row);
  });

  r.openapi(createRoute({
    method: 'post', path, tags: ['leads'], summary: 'Create a lead',
    request: { body: { content: { 'application/json': { schema: LeadIn } }, required: true } },
    responses: { 201: { description: 'Created', ...item }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const body = c.req.valid('json') as AnyRow;
    const created = await write(deps.database, async (tx) => {
      const input = toLeadInput(await enforceCapturePolicy(tx, actor.workspaceId, 'lead', body, { sourceId: body['sourceId'] as string | null | undefined })) as LeadInput;
      return createLeadInTx(tx, actor, input, deps.now());
    });
    const row = await view(actor, created['id'] as string);
    withEtag(c, row);
    c.header('Location', `/api/v1${path}/${String(row['id'])}`);
    return c.json(row as never, 201);
  });

  r.openapi(createRoute({
    method: 'patch', path: idPath, tags: ['leads'],
    summary: 'Update a lead (send If-Match or version to avoid overwriting someone else\'s change)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: LeadPatch } }, required: true } },
    responses: { 200: { description: 'Updated', ...item }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { version, ...body } = c.req.valid('json') as AnyRow;
    const expected = expectedVersion(c, version);
    await write(deps.database, async (tx) => {
      // The stored source decides the per-source rules unless the patch changes it.
      const before = await findRow(tx, lead, actor.workspaceId, id, 'lead');
      const sourceId = ('sourceId' in body ? body['sourceId'] : before['sourceId']) as string | null;
      const patch = await enforceCapturePolicy(tx, actor.workspaceId, 'lead', body, { partial: true, existing: before, sourceId });
      return updateLeadInTx(tx, actor, id, toLeadInput(patch), expected, deps.now());
    });
    return ok(c, await view(actor, id));
  });

  r.openapi(createRoute({
    method: 'delete', path: idPath, tags: ['leads'], summary: 'Delete a lead (prefer cancel: it keeps the history)',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertManagerOrAdmin(actor, 'Only a manager or an admin can delete a lead.');
    await write(deps.database, (tx) => deleteLeadInTx(tx, actor, c.req.valid('param').id));
    return c.body(null, 204);
  });

  r.openapi(createRoute({
    method: 'post', path: `${idPath}/move`, tags: ['leads'],
    summary: 'Move a lead to another stage of its pipeline (won closes it; lost needs lostReason)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: MoveIn } }, required: true } },
    responses: { 200: { description: 'Moved', ...item }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { stageId, lostReason, probability, version } = c.req.valid('json');
    const expectedVersionNumber = expectedVersion(c, version);
    await write(deps.database, (tx) => moveLeadInTx(tx, actor, id, stageId, { lostReason: lostReason ?? null, probability: probability ?? null, expectedVersion: expectedVersionNumber }, deps.now()));
    return ok(c, await view(actor, id));
  });

  r.openapi(createRoute({
    method: 'post', path: `${idPath}/next-action`, tags: ['leads'], summary: 'Schedule the next action of an open lead',
    request: { params: IdParam, body: { content: { 'application/json': { schema: NextActionIn } }, required: true } },
    responses: { 200: { description: 'Scheduled', ...item }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { at, type, note, version } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    await write(deps.database, (tx) => scheduleNextActionInTx(tx, actor, id, { at: new Date(at), type, note: note ?? null }, expected, deps.now()));
    return ok(c, await view(actor, id));
  });

  r.openapi(createRoute({
    method: 'post', path: `${idPath}/cancel`, tags: ['leads'], summary: 'Cancel a lead (hidden from the board, can be restored)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: CancelIn } }, required: true } },
    responses: { 200: { description: 'Cancelled', ...item }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { reason, version } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    await write(deps.database, (tx) => cancelLeadInTx(tx, actor, id, reason, expected, deps.now()));
    return ok(c, await view(actor, id));
  });

  r.openapi(createRoute({
    method: 'post', path: `${idPath}/restore`, tags: ['leads'], summary: 'Restore a cancelled lead to the status of its stage',
    request: { params: IdParam, body: { content: { 'application/json': { schema: RestoreIn } }, required: false } },
    responses: { 200: { description: 'Restored', ...item }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const body = (c.req.valid('json') ?? {}) as { version?: number };
    const expected = expectedVersion(c, body.version);
    await write(deps.database, (tx) => restoreLeadInTx(tx, actor, id, expected));
    return ok(c, await view(actor, id));
  });

  return r;
}
