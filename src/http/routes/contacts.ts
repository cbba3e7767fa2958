import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Actor } from '../../domain/access.js';
import { assertCanAssign, assertManagerOrAdmin } from '../../domain/access.js';
import { enforceCapturePolicy } from '../../db/queries/capture-policy.js';
import { resolveCustomFields } from '../../db/queries/custom-fields.js';
import { assertReferences, contactList, getContactView, listContacts } from '../../db/queries/contacts.js';
import { deleteRow, findRow, insertRow, updateRow, write, type TenantTable } from '../../db/repository.js';
import { appUser, company, contact } from '../../db/schema.js';
import { expectedVersion } from '../resource.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { DateOnly, IdParam, CustomFieldValues, listQuerySchema, pageOf, problemResponses, recordMeta, TimestampOut, Uuid } from '../schemas.js';
import { addCancelRestoreRoutes, addressIn, addressOut } from './companies.js';

type AnyRow = Record<string, unknown>;

const withEtag = (c: Context<AppEnv>, row: AnyRow) => c.header('ETag', `"${String(row['version'])}"`);

const contactFields = {
  firstName: z.string().trim().min(1).max(120),
  lastName: z.string().trim().max(120).nullish(),
  secondLastName: z.string().trim().max(120).nullish(),
  jobTitle: z.string().trim().max(120).nullish(),
  email: z.email().max(254).transform((e) => e.toLowerCase()).nullish(),
  phone: z.string().trim().max(40).nullish(),
  ...addressIn,
  birthDate: DateOnly.nullish(),
  maritalStatus: z.enum(['single', 'married', 'partner', 'divorced', 'widowed']).nullish(),
  contactPreference: z.enum(['email', 'phone', 'whatsapp', 'visit']).nullish(),
  doNotContact: z.boolean().optional(),
  lifecycle: z.enum(['prospect', 'client', 'former']).optional(),
  companyId: Uuid.nullish(),
  ownerId: Uuid.nullish(),
  customFields: z.record(z.string(), z.unknown()).optional(),
};

export const ContactIn = z.strictObject(contactFields).openapi('ContactInput');
export const ContactPatch = z.strictObject({ ...contactFields, firstName: contactFields.firstName.optional(), version: z.number().int().optional() }).openapi('ContactPatch');
export const ContactOut = z.object({
  ...recordMeta,
  firstName: z.string(), lastName: z.string().nullable(), secondLastName: z.string().nullable(), jobTitle: z.string().nullable(),
  email: z.string().nullable(), phone: z.string().nullable(), ...addressOut,
  birthDate: z.string().nullable(), maritalStatus: z.string().nullable(), contactPreference: z.string().nullable(),
  doNotContact: z.boolean(), lifecycle: z.enum(['prospect', 'client', 'former']),
  companyId: Uuid.nullable(), companyName: z.string().nullable(), ownerId: Uuid.nullable(), customFields: CustomFieldValues,
  status: z.enum(['active', 'cancelled']), cancelReason: z.string().nullable(), cancelledAt: TimestampOut.nullable(),
  lastActivityAt: TimestampOut.nullable(),
}).openapi('Contact');

const contactRefs = (input: AnyRow) => [
  { field: 'companyId', table: company as TenantTable, ids: input['companyId'] as string | null | undefined },
  { field: 'ownerId', table: appUser as TenantTable, ids: input['ownerId'] as string | null | undefined },
];

export function contactRoutes(deps: Deps) {
  const r = newRouter();
  const path = '/contacts';
  const idPath = `${path}/{id}`;
  const view = (actor: Actor, id: string) => getContactView(deps.database, actor.workspaceId, id);

  r.openapi(createRoute({
    method: 'get', path, tags: ['contacts'], summary: 'List contacts',
    request: { query: listQuerySchema(contactList) },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: pageOf(ContactOut) } } }, ...problemResponses },
  }), async (c) => {
    const page = await listContacts(deps.database, c.get('actor'), c.req.valid('query') as Record<string, string>);
    return c.json(page as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: idPath, tags: ['contacts'], summary: 'Get one contact',
    request: { params: IdParam },
    responses: { 200: { description: 'contact', content: { 'application/json': { schema: ContactOut } } }, ...problemResponses },
  }), async (c) => {
    const row = await view(c.get('actor'), c.req.valid('param').id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path, tags: ['contacts'], summary: 'Create a contact',
    request: { body: { content: { 'application/json': { schema: ContactIn } }, required: true } },
    responses: { 201: { description: 'Created', content: { 'application/json': { schema: ContactOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const created = await write(deps.database, async (tx) => {
      const input = await enforceCapturePolicy(tx, actor.workspaceId, 'contact', c.req.valid('json') as AnyRow);
      const ownerId = (input['ownerId'] as string | null | undefined) ?? actor.userId;
      assertCanAssign(actor, actor.userId, ownerId);
      await assertReferences(tx, actor.workspaceId, contactRefs({ ...input, ownerId }));
      const customFields = await resolveCustomFields(tx, actor.workspaceId, 'contact', input['customFields'] as AnyRow | undefined, null);
      return insertRow(tx, contact as TenantTable, actor, 'contact', { ...input, ownerId, customFields });
    });
    const row = await view(actor, created['id'] as string);
    withEtag(c, row);
    c.header('Location', `/api/v1${path}/${String(row['id'])}`);
    return c.json(row as never, 201);
  });

  r.openapi(createRoute({
    method: 'patch', path: idPath, tags: ['contacts'],
    summary: 'Update a contact (send If-Match or version to avoid overwriting someone else\'s change)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: ContactPatch } }, required: true } },
    responses: { 200: { description: 'Updated', content: { 'application/json': { schema: ContactOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { version, ...body } = c.req.valid('json') as AnyRow;
    const expected = expectedVersion(c, version);
    await write(deps.database, async (tx) => {
      const before = await findRow(tx, contact as TenantTable, actor.workspaceId, id, 'contact', true);
      const patch = await enforceCapturePolicy(tx, actor.workspaceId, 'contact', body, { partial: true, existing: before });
      if ('ownerId' in patch) assertCanAssign(actor, before['ownerId'] as string | null, (patch['ownerId'] as string | null) ?? null);
      await assertReferences(tx, actor.workspaceId, contactRefs(patch));
      const customFields = await resolveCustomFields(tx, actor.workspaceId, 'contact', patch['customFields'] as AnyRow | undefined, before['customFields'] as Record<string, string | number | null>);
      return updateRow(tx, contact as TenantTable, actor, 'contact', before, { ...patch, ...(customFields ? { customFields } : {}) }, expected);
    });
    const row = await view(actor, id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'delete', path: idPath, tags: ['contacts'], summary: 'Delete a contact (prefer cancel: it keeps the history)',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertManagerOrAdmin(actor, 'Only a manager or an admin can delete a contact.');
    await write(deps.database, async (tx) => {
      const before = await findRow(tx, contact as TenantTable, actor.workspaceId, c.req.valid('param').id, 'contact', true);
      await deleteRow(tx, contact as TenantTable, actor, 'contact', before);
    });
    return c.body(null, 204);
  });

  addCancelRestoreRoutes(r, deps, { entity: 'contact', path, tag: 'contacts', table: contact as TenantTable, out: ContactOut, view });
  return r;
}
