import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Actor } from '../../domain/access.js';
import { forbidden, invalid } from '../../domain/errors.js';
import {
  availableSegmentFields, checkSegmentDefinition, effectiveDefinition, operatorsByType, segmentAccess, segmentOperators,
  type SegmentDefinition,
} from '../../domain/segment.js';
import type { Db } from '../../db/client.js';
import { contactList, listContacts } from '../../db/queries/contacts.js';
import {
  assertSegmentReferences, countReachable, findVisibleSegment, listVisibleSegments, previewMembers, segmentCustomFields,
  type SegmentRow,
} from '../../db/queries/segments.js';
import { deleteRow, findRow, insertRow, updateRow, write, type TenantTable } from '../../db/repository.js';
import { segment, segmentBuiltins } from '../../db/schema.js';
import { expectedVersion } from '../resource.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { IdParam, listQuerySchema, pageOf, problemResponses, recordMeta, Uuid } from '../schemas.js';
import { ContactOut } from './contacts.js';

type AnyRow = Record<string, unknown>;

// The tree is checked by the domain (src/domain/segment.ts), which names the exact condition at
// fault ("definition.children.1.value"); here it is an object so that check gives the answer.
const Definition = z.record(z.string(), z.unknown()).openapi('SegmentDefinition', {
  description: 'A group: { type: "group", combinator: "and" | "or", children: [group | { type: "condition", field, operator, value? }] }. Fields: GET /segments/fields.',
});

const fields = {
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().max(1000).nullish(),
  definition: Definition,
  shared: z.boolean().optional(),
};
export const SegmentIn = z.strictObject(fields).openapi('SegmentInput');
export const SegmentPatch = z.strictObject({
  name: fields.name.optional(), description: fields.description, definition: Definition.optional(), shared: z.boolean().optional(),
  version: z.number().int().optional(),
}).openapi('SegmentPatch');
const FieldProblem = z.object({ field: z.string(), code: z.string(), message: z.string() });
export const SegmentOut = z.object({
  ...recordMeta, name: z.string(), description: z.string().nullable(), definition: Definition, ownerId: Uuid.nullable(),
  shared: z.boolean(), builtin: z.enum(segmentBuiltins).nullable(),
  canEdit: z.boolean(), canDelete: z.boolean(),
  /** Conditions that no longer hold since the segment was saved (e.g. a custom field was deleted). */
  problems: z.array(FieldProblem),
}).openapi('Segment');
const SegmentCount = z.object({ count: z.number().int(), reachable: z.number().int() }).openapi('SegmentCount');
const SegmentFieldOut = z.object({
  key: z.string(), type: z.enum(['text', 'number', 'date', 'enum', 'boolean', 'reference']), group: z.enum(['contact', 'company', 'computed']),
  values: z.array(z.string()).optional(), reference: z.enum(['user', 'stage', 'source']).optional(), label: z.string().optional(),
  operators: z.array(z.enum(segmentOperators)),
}).openapi('SegmentField');
const PreviewIn = z.strictObject({ definition: Definition, limit: z.number().int().min(1).max(100).optional() }).openapi('SegmentPreviewInput');
const PreviewOut = z.object({ count: z.number().int(), reachable: z.number().int(), data: z.array(ContactOut) }).openapi('SegmentPreview');

const json = <T extends z.ZodType>(schema: T, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const withEtag = (c: Context<AppEnv>, row: AnyRow) => c.header('ETag', `"${String(row['version'])}"`);

/** Validates a definition against the workspace's fields and records; throws 422 naming each condition at fault. */
async function validDefinition(tx: Db, workspaceId: string, input: unknown): Promise<SegmentDefinition> {
  const custom = await segmentCustomFields(tx, workspaceId);
  const check = checkSegmentDefinition(input, custom);
  if (check.errors.length || !check.definition) throw invalid(check.errors, 'The segment definition is not valid.');
  await assertSegmentReferences(tx, workspaceId, check.references);
  return check.definition;
}

export function segmentRoutes(deps: Deps) {
  const r = newRouter();
  const db = deps.database;

  const present = async (actor: Actor, rows: SegmentRow[]) => {
    const custom = await segmentCustomFields(db.db, actor.workspaceId);
    return rows.map((row) => {
      const access = segmentAccess(actor, row);
      return {
        ...row, canEdit: access.canEdit, canDelete: access.canDelete,
        // Built-ins other than VIP are computed from the code's definition; show that one.
        definition: effectiveDefinition(row),
        problems: checkSegmentDefinition(effectiveDefinition(row), custom).errors,
      };
    });
  };
  const presentOne = async (actor: Actor, row: SegmentRow) => (await present(actor, [row]))[0]!;

  r.openapi(createRoute({
    method: 'get', path: '/segments', tags: ['segments'], summary: 'List the segments you can see (built-ins first)',
    responses: { 200: json(z.object({ data: z.array(SegmentOut) })), ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    return c.json({ data: await present(actor, await listVisibleSegments(db, actor)) } as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/segments/fields', tags: ['segments'], summary: 'The fields a condition may name, with their operators (custom fields included)',
    responses: { 200: json(z.object({ data: z.array(SegmentFieldOut) })), ...problemResponses },
  }), async (c) => {
    const custom = await segmentCustomFields(db.db, c.get('actor').workspaceId);
    const data = availableSegmentFields(custom).map((f) => ({ ...f, operators: operatorsByType[f.type] }));
    return c.json({ data } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/segments/preview', tags: ['segments'], summary: 'Count and first contacts of an unsaved definition (the editor\'s live count)',
    request: { body: { content: { 'application/json': { schema: PreviewIn } }, required: true } },
    responses: { 200: json(PreviewOut), ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const body = c.req.valid('json');
    const def = await validDefinition(db.db, actor.workspaceId, body.definition);
    const custom = await segmentCustomFields(db.db, actor.workspaceId);
    const [counts, data] = await Promise.all([
      countReachable(db, actor.workspaceId, def, custom),
      previewMembers(db, actor, def, custom, body.limit ?? 10),
    ]);
    return c.json({ ...counts, data } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/segments', tags: ['segments'], summary: 'Create a segment',
    request: { body: { content: { 'application/json': { schema: SegmentIn } }, required: true } },
    responses: { 201: json(SegmentOut, 'Created'), ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const input = c.req.valid('json') as AnyRow;
    const row = await write(db, async (tx) => {
      const definition = await validDefinition(tx, actor.workspaceId, input['definition']);
      return insertRow(tx, segment as TenantTable, actor, 'segment', { ...input, definition, ownerId: actor.userId });
    });
    withEtag(c, row);
    c.header('Location', `/api/v1/segments/${String(row['id'])}`);
    return c.json(await presentOne(actor, row as SegmentRow) as never, 201);
  });

  r.openapi(createRoute({
    method: 'get', path: '/segments/{id}', tags: ['segments'], summary: 'Get one segment',
    request: { params: IdParam },
    responses: { 200: json(SegmentOut), ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const row = await findVisibleSegment(db, actor, c.req.valid('param').id, 'id');
    withEtag(c, row);
    return c.json(await presentOne(actor, row) as never, 200);
  });

  r.openapi(createRoute({
    method: 'patch', path: '/segments/{id}', tags: ['segments'],
    summary: 'Update a segment (its owner or an admin; of the built-ins only VIP\'s conditions, by an admin)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: SegmentPatch } }, required: true } },
    responses: { 200: json(SegmentOut), ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { version, ...patch } = c.req.valid('json') as AnyRow;
    const expected = expectedVersion(c, version);
    await findVisibleSegment(db, actor, id, 'id');
    const row = await write(db, async (tx) => {
      const before = await findRow(tx, segment as TenantTable, actor.workspaceId, id, 'segment', true);
      const access = segmentAccess(actor, before as SegmentRow);
      if (!access.canEdit) {
        throw forbidden(before['builtin'] ? 'Built-in segments are read-only; an admin may set the VIP conditions.' : 'Only its owner or an admin can change a segment.');
      }
      if (before['builtin'] && Object.keys(patch).some((k) => k !== 'definition' && k !== 'description')) {
        throw invalid(Object.keys(patch).filter((k) => k !== 'definition' && k !== 'description')
          .map((k) => ({ field: k, code: 'read_only', message: 'Of a built-in segment only the conditions (and description) can change.' })));
      }
      const values = { ...patch };
      if ('definition' in patch) values['definition'] = await validDefinition(tx, actor.workspaceId, patch['definition']);
      return updateRow(tx, segment as TenantTable, actor, 'segment', before, values, expected);
    });
    withEtag(c, row);
    return c.json(await presentOne(actor, row as SegmentRow) as never, 200);
  });

  r.openapi(createRoute({
    method: 'delete', path: '/segments/{id}', tags: ['segments'], summary: 'Delete a segment (campaigns targeting it keep no target)',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    await findVisibleSegment(db, actor, id, 'id');
    await write(db, async (tx) => {
      const before = await findRow(tx, segment as TenantTable, actor.workspaceId, id, 'segment', true);
      if (!segmentAccess(actor, before as SegmentRow).canDelete) {
        throw forbidden(before['builtin'] ? 'Built-in segments cannot be deleted.' : 'Only its owner or an admin can delete a segment.');
      }
      await deleteRow(tx, segment as TenantTable, actor, 'segment', before);
    });
    return c.body(null, 204);
  });

  r.openapi(createRoute({
    method: 'get', path: '/segments/{id}/count', tags: ['segments'],
    summary: 'Live number of contacts in the segment, and how many may be contacted (not doNotContact)',
    request: { params: IdParam },
    responses: { 200: json(SegmentCount), ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const row = await findVisibleSegment(db, actor, c.req.valid('param').id, 'id');
    const custom = await segmentCustomFields(db.db, actor.workspaceId);
    return c.json(await countReachable(db, actor.workspaceId, effectiveDefinition(row), custom), 200);
  });

  const { segmentId: _s, ...memberQuery } = listQuerySchema(contactList).shape;
  r.openapi(createRoute({
    method: 'get', path: '/segments/{id}/members', tags: ['segments'],
    summary: 'The contacts of the segment, a page at a time (the contacts list\'s sorts, search and filters apply)',
    request: { params: IdParam, query: z.strictObject(memberQuery) },
    responses: { 200: json(pageOf(ContactOut)), ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    await findVisibleSegment(db, actor, id, 'id');
    const page = await listContacts(db, actor, { ...(c.req.valid('query') as Record<string, string>), segmentId: id });
    return c.json(page as never, 200);
  });

  return r;
}
