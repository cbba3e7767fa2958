import { createRoute, z } from '@hono/zod-openapi';
import { assertManagerOrAdmin } from '../../domain/access.js';
import { mergeableFields } from '../../domain/duplicates.js';
import { notFound } from '../../domain/errors.js';
import {
  dismissDuplicatePair, findDuplicateCandidates, findDuplicateScan, listDuplicatePairs, listMerges, mergeRecords, requestDuplicateScan, undoMerge,
  type CompanyValues, type ContactValues,
} from '../../db/queries/duplicates.js';
import { findRow, write, type TenantTable } from '../../db/repository.js';
import { company, contact } from '../../db/schema.js';
import { drainJobs } from '../../jobs/worker.js';
import { newRouter, type Deps } from '../context.js';
import { IdParam, problemResponses, TimestampOut, Uuid } from '../schemas.js';
import { pageLimit } from './notifications.js';

const Entity = z.enum(['contact', 'company']).openapi({ description: 'Which records: contacts or companies' });
const Reason = z.enum(['email', 'phone', 'name', 'name_company']);
/** Enough of a contact or company to recognise it; the page fetches the full records to compare. */
const Summary = z.object({
  id: Uuid, firstName: z.string().optional(), lastName: z.string().nullable().optional(), secondLastName: z.string().nullable().optional(),
  name: z.string().optional(), email: z.string().nullable(), phone: z.string().nullable(), city: z.string().nullable(),
  companyId: Uuid.nullable().optional(), companyName: z.string().nullable().optional(), website: z.string().nullable().optional(),
  ownerId: Uuid.nullable(),
}).openapi('DuplicateSummary');

const PairOut = z.object({
  id: Uuid, entity: Entity, score: z.number().int().openapi({ description: '0–100: how likely the two records are one' }),
  reasons: z.array(Reason), detectedAt: TimestampOut, a: Summary, b: Summary,
}).openapi('DuplicatePair');
const CandidateOut = z.object({ id: Uuid, score: z.number().int(), reasons: z.array(Reason), record: Summary }).openapi('DuplicateCandidate');
const MergeOut = z.object({
  id: Uuid, entity: Entity, keepId: Uuid, mergedId: Uuid,
  keep: Summary.nullable().openapi({ description: 'The kept record now (null once deleted)' }),
  merged: z.record(z.string(), z.unknown()).openapi({ description: 'The merged record as it was (emptied when purged)' }),
  mergedBy: Uuid.nullable(), mergedByName: z.string().nullable(), mergedAt: TimestampOut, undoneAt: TimestampOut.nullable(),
  undoDeadline: TimestampOut, canUndo: z.boolean(),
}).openapi('DuplicateMerge');

const allFields = [...new Set([...mergeableFields.contact, ...mergeableFields.company])] as [string, ...string[]];
const MergeIn = z.strictObject({
  entity: Entity,
  keepId: Uuid.openapi({ description: 'The record that stays' }),
  mergeId: Uuid.openapi({ description: 'The record merged into it, then hidden; restorable for 30 days' }),
  fieldChoices: z.partialRecord(z.enum(allFields), z.enum(['keep', 'merge'])).optional()
    .openapi({ description: 'Per field, whose value to keep. Unset: the kept record\'s value unless empty, else the merged one\'s' }),
}).openapi('MergeInput');

const PageQuery = z.object({
  entity: Entity.optional().openapi({ description: 'Default contact' }),
  limit: z.string().optional().openapi({ description: 'Page size, 1–200 (default 50)' }),
  cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
});
const CandidatesQuery = z.object({ entity: Entity, id: Uuid.openapi({ description: 'The record whose likely duplicates are wanted' }) });
const ScanIn = z.strictObject({ entity: Entity.optional().openapi({ description: 'Both kinds when absent' }) });
const ScanOut = z.object({
  id: Uuid.nullable().openapi({ description: 'The scan; a second request while it is queued or running answers the same id. Null: no scan yet' }),
  status: z.enum(['queued', 'running', 'done', 'failed']).nullable().openapi({ description: 'Null: no scan was ever asked for (every other field is null too)' }),
  entity: Entity.nullable().openapi({ description: 'The kind asked for; null when both (or no scan yet)' }),
  requestedAt: TimestampOut.nullable(),
  requestedBy: Uuid.nullable().openapi({ description: 'Who asked; null for the nightly scan' }),
  startedAt: TimestampOut.nullable().openapi({ description: 'When a worker started it; null while queued' }),
  finishedAt: TimestampOut.nullable().openapi({ description: 'When it ended, done or failed' }),
  pairs: z.object({ contact: z.number().int().optional(), company: z.number().int().optional() }).nullable()
    .openapi({ description: 'Likely duplicate pairs found per kind, each set as its kind finishes; complete when done' }),
  error: z.string().nullable().openapi({ description: 'Why it failed, in one line (no stack); null unless failed' }),
}).openapi('DuplicateScan');

export function duplicateRoutes(deps: Deps) {
  const r = newRouter();

  r.openapi(createRoute({
    method: 'get', path: '/duplicates', tags: ['duplicates'],
    summary: 'Likely duplicate pairs found by the last scan, best score first (managers and admins); dismissed pairs are left out',
    request: { query: PageQuery },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: z.object({ data: z.array(PairOut), nextCursor: z.string().nullable() }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertManagerOrAdmin(actor, 'Only a manager or an admin can review duplicates.');
    const q = c.req.valid('query');
    const page = await deps.database.transaction((tx) => listDuplicatePairs(tx, actor.workspaceId, q.entity ?? 'contact', { cursor: q.cursor, limit: pageLimit(q.limit, 200) }));
    return c.json(page as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/duplicates/scan', tags: ['duplicates'],
    summary: 'Look for duplicate pairs now, in the background (managers and admins); follow it with GET /duplicates/scan',
    description: 'Queues one scan job for the workspace and answers its state at once. While a scan (asked by anyone, or the nightly one) is queued or running, no second one is queued: the answer is that scan, whatever `entity` this request asked for.',
    request: { body: { content: { 'application/json': { schema: ScanIn } }, required: true } },
    responses: { 202: { description: 'The scan now queued, or the one already queued or running', content: { 'application/json': { schema: ScanOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertManagerOrAdmin(actor, 'Only a manager or an admin can review duplicates.');
    // One attempt: a person asked and is watching; a failure shows at once and they can ask again.
    const { scan } = await write(deps.database, (tx) =>
      requestDuplicateScan(tx, actor.workspaceId, { entity: c.req.valid('json').entity ?? null, requestedBy: actor.userId, now: deps.now(), attempts: 1 }));
    // Runs the queue now instead of at the next scheduler tick, so the scan starts when asked. Every
    // request that finds it still queued asks again: a worker that skipped the job while another
    // request's transaction held its row has given up on it, and this request's has now ended.
    if (scan.status === 'queued') void drainJobs(deps).catch((e: unknown) => console.error('duplicates: draining jobs failed', e));
    return c.json(scan as never, 202);
  });

  r.openapi(createRoute({
    method: 'get', path: '/duplicates/scan', tags: ['duplicates'],
    summary: 'The workspace\'s latest duplicate scan ("Scan now" or nightly) and its state (managers and admins)',
    description: 'Never 404: when no scan was ever asked for (or its record is older than the 30 days finished jobs are kept), every field is null.',
    responses: { 200: { description: 'The latest scan', content: { 'application/json': { schema: ScanOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertManagerOrAdmin(actor, 'Only a manager or an admin can review duplicates.');
    return c.json(await findDuplicateScan(deps.database.db, actor.workspaceId) as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/duplicates/candidates', tags: ['duplicates'],
    summary: 'Likely duplicates of one contact or company, best first ("Merge with…" on the record page)',
    request: { query: CandidatesQuery },
    responses: { 200: { description: 'Candidates', content: { 'application/json': { schema: z.object({ data: z.array(CandidateOut) }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { entity, id } = c.req.valid('query');
    const data = await deps.database.transaction(async (tx) => {
      const row = await findRow(tx, (entity === 'contact' ? contact : company) as TenantTable, actor.workspaceId, id, entity);
      let companyName: string | null = null;
      if (entity === 'contact' && row['companyId']) {
        companyName = ((await findRow(tx, company as TenantTable, actor.workspaceId, row['companyId'] as string, 'company'))['name'] as string) ?? null;
      }
      const values = entity === 'contact' ? { ...(row as ContactValues), companyName } : (row as CompanyValues);
      return findDuplicateCandidates(tx, actor.workspaceId, entity, values, { excludeIds: [id], limit: 20 });
    });
    return c.json({ data } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/duplicates/{id}/dismiss', tags: ['duplicates'],
    summary: 'Mark a pair "not a duplicate": it is not offered again',
    request: { params: IdParam },
    responses: { 204: { description: 'Dismissed' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertManagerOrAdmin(actor, 'Only a manager or an admin can review duplicates.');
    await write(deps.database, (tx) => dismissDuplicatePair(tx, actor, c.req.valid('param').id, deps.now()));
    return c.body(null, 204);
  });

  r.openapi(createRoute({
    method: 'post', path: '/duplicates/merge', tags: ['duplicates'],
    summary: 'Merge two contacts or two companies (managers, admins, or the owner of both); undoable for 30 days',
    description: 'In one transaction every activity, lead, sale, feedback, complaint, follow-up, company link and audit entry of the merged record moves to the kept one; the merged record is hidden, not deleted.',
    request: { body: { content: { 'application/json': { schema: MergeIn } }, required: true } },
    responses: { 201: { description: 'Merged', content: { 'application/json': { schema: MergeOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const input = c.req.valid('json');
    const now = deps.now();
    const id = await write(deps.database, (tx) => mergeRecords(tx, actor, input, now));
    const view = await mergeView(deps, actor.workspaceId, input.entity, id, now);
    return c.json(view as never, 201);
  });

  r.openapi(createRoute({
    method: 'get', path: '/duplicates/merges', tags: ['duplicates'], summary: 'Recent merges, newest first, with whether each can still be undone (managers and admins)',
    request: { query: PageQuery },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: z.object({ data: z.array(MergeOut), nextCursor: z.string().nullable() }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertManagerOrAdmin(actor, 'Only a manager or an admin can review merges.');
    const q = c.req.valid('query');
    const page = await deps.database.transaction((tx) => listMerges(tx, actor.workspaceId, q.entity ?? 'contact', { cursor: q.cursor, limit: pageLimit(q.limit, 200) }, deps.now()));
    return c.json(page as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/duplicates/merges/{id}/undo', tags: ['duplicates'],
    summary: 'Undo a merge within 30 days: both records back, and exactly what moved moves back',
    request: { params: IdParam },
    responses: { 200: { description: 'Undone', content: { 'application/json': { schema: MergeOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const now = deps.now();
    const m = await write(deps.database, (tx) => undoMerge(tx, actor, c.req.valid('param').id, now));
    return c.json(await mergeView(deps, actor.workspaceId, m.entity, m.id, now) as never, 200);
  });

  return r;
}

/** One merge in its list shape. */
async function mergeView(deps: Deps, workspaceId: string, entity: 'contact' | 'company', id: string, now: Date) {
  const page = await deps.database.transaction((tx) => listMerges(tx, workspaceId, entity, { id, limit: 1 }, now));
  if (!page.data[0]) throw notFound('duplicateMerge');
  return page.data[0];
}
