import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Actor } from '../../domain/access.js';
import { assertCanAssign, assertManagerOrAdmin } from '../../domain/access.js';
import { enforceCapturePolicy } from '../../db/queries/capture-policy.js';
import { resolveCustomFields } from '../../db/queries/custom-fields.js';
import { assertReferences, contactList, getContactView, listContacts } from '../../db/queries/contacts.js';
import { deleteRow, findRow, insertRow, updateRow, write, type TenantTable } from '../../db/repository.js';
import { appUser, company, contact } from '../../db/schema.js';
import { contactProfile, derivedLifecycle, profileAccess, type ProfileAccess } from '../../db/queries/profile.js';
import { assertNoSensitiveWrite, bestTimesToContact, deriveLifecycle, lifecycles, maritalStatuses, noLifecycleFacts, omitSensitive } from '../../domain/profile.js';
import { expectedVersion } from '../resource.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { DateOnly, IdParam, CustomFieldValues, listQuerySchema, pageOf, problemResponses, recordMeta, TimestampOut, Uuid } from '../schemas.js';
import { addCancelRestoreRoutes, addressIn, addressOut } from './companies.js';
import { ScoreExplanationOut } from './score.js';

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
  birthDate: DateOnly.nullish().openapi({ description: 'Sensitive: only roles in the workspace setting profile.sensitiveRoles may send it' }),
  maritalStatus: z.enum(maritalStatuses).nullish().openapi({ description: 'Sensitive' }),
  occupation: z.string().trim().max(120).nullish().openapi({ description: 'Sensitive' }),
  contactPreference: z.enum(['email', 'phone', 'whatsapp', 'visit']).nullish(),
  bestTimeToContact: z.enum(bestTimesToContact).nullish().openapi({ description: 'Part of the day: morning 9–13, midday 13–16, afternoon 16–20, evening 20–22' }),
  doNotContact: z.boolean().optional(),
  lifecycle: z.enum(lifecycles).nullish().openapi({ description: 'Sets the lifecycle by hand (an override kept until cleared); null returns it to the value derived from sales and leads' }),
  companyId: Uuid.nullish(),
  ownerId: Uuid.nullish(),
  customFields: z.record(z.string(), z.unknown()).optional(),
};

// Read-only figures of the client profile (docs/profile.md), computed for the single-contact read only.
const ProductPurchaseOut = z.object({ productId: Uuid.nullable(), name: z.string().nullable(), purchases: z.number().int(), quantity: z.number(), total: z.number() });
const profileOut = {
  age: z.number().int().nullable().optional().openapi({ description: 'Whole years in the workspace time zone (sensitive, like birthDate)' }),
  lifecycleDerived: z.enum(lifecycles).optional().openapi({ description: 'What the data says, whatever the override' }),
  purchases: z.object({
    count: z.number().int(), totals: z.array(z.object({ currency: z.string(), amount: z.number() })),
    firstPurchaseAt: TimestampOut.nullable(), lastPurchaseAt: TimestampOut.nullable(), products: z.array(ProductPurchaseOut),
  }).optional().openapi({ description: 'Sales to this contact, by product from the sale lines' }),
  emailReplies: z.object({
    sent: z.number().int(), answered: z.number().int(), pending: z.number().int(), replyRate: z.number().nullable(), windowDays: z.number().int(),
  }).optional().openapi({ description: 'Logged emails of the last 365 days: an outbound one is answered by an inbound one within windowDays; pending ones (window still open) are left out of replyRate' }),
};

export const ContactIn = z.strictObject(contactFields).openapi('ContactInput');
export const ContactPatch = z.strictObject({ ...contactFields, firstName: contactFields.firstName.optional(), version: z.number().int().optional() }).openapi('ContactPatch');
export const ContactOut = z.object({
  ...recordMeta,
  firstName: z.string(), lastName: z.string().nullable(), secondLastName: z.string().nullable(), jobTitle: z.string().nullable(),
  email: z.string().nullable(), phone: z.string().nullable(), ...addressOut,
  birthDate: z.string().nullable().optional().openapi({ description: 'Absent for roles that do not see sensitive fields' }),
  maritalStatus: z.string().nullable().optional(), occupation: z.string().nullable().optional(),
  contactPreference: z.string().nullable(), bestTimeToContact: z.enum(bestTimesToContact).nullable(),
  doNotContact: z.boolean(), lifecycle: z.enum(lifecycles),
  lifecycleOverride: z.enum(lifecycles).nullable().openapi({ description: 'The lifecycle set by hand, if any (then lifecycle equals it)' }),
  companyId: Uuid.nullable(), companyName: z.string().nullable(), ownerId: Uuid.nullable(), customFields: CustomFieldValues,
  status: z.enum(['active', 'cancelled']), cancelReason: z.string().nullable(), cancelledAt: TimestampOut.nullable(),
  lastActivityAt: TimestampOut.nullable(),
  score: z.number().int().openapi({ description: 'Computed from the workspace score rules (read-only); see scoreExplanation' }),
  scoreExplanation: ScoreExplanationOut,
  ...profileOut,
}).openapi('Contact');

const contactRefs = (input: AnyRow) => [
  { field: 'companyId', table: company as TenantTable, ids: input['companyId'] as string | null | undefined },
  { field: 'ownerId', table: appUser as TenantTable, ids: input['ownerId'] as string | null | undefined },
];

export function contactRoutes(deps: Deps) {
  const r = newRouter();
  const path = '/contacts';
  const idPath = `${path}/{id}`;
  /** One contact as this actor may read it, with the computed profile figures. */
  const view = async (actor: Actor, id: string, known?: ProfileAccess) => {
    const row = await getContactView(deps.database, actor.workspaceId, id);
    const access = known ?? await profileAccess(deps.database.db, actor);
    const profile = await contactProfile(deps.database.db, actor.workspaceId, id, row['birthDate'] as string | null, access.timeZone, deps.now());
    const full: AnyRow = { ...row, ...profile };
    return access.canSeeSensitive ? full : omitSensitive(full, access.sensitiveCustomKeys);
  };

  r.openapi(createRoute({
    method: 'get', path, tags: ['contacts'], summary: 'List contacts',
    request: { query: listQuerySchema(contactList) },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: pageOf(ContactOut) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const [page, access] = await Promise.all([
      listContacts(deps.database, actor, c.req.valid('query') as Record<string, string>),
      profileAccess(deps.database.db, actor),
    ]);
    if (!access.canSeeSensitive) page.data = page.data.map((row) => omitSensitive(row, access.sensitiveCustomKeys));
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
    const body = c.req.valid('json') as AnyRow;
    const created = await write(deps.database, async (tx) => {
      const access = await profileAccess(tx, actor);
      if (!access.canSeeSensitive) assertNoSensitiveWrite(body, access.sensitiveCustomKeys);
      const { lifecycle: override, ...input } = await enforceCapturePolicy(tx, actor.workspaceId, 'contact', body);
      const ownerId = (input['ownerId'] as string | null | undefined) ?? actor.userId;
      assertCanAssign(actor, actor.userId, ownerId);
      await assertReferences(tx, actor.workspaceId, contactRefs({ ...input, ownerId }));
      const customFields = await resolveCustomFields(tx, actor.workspaceId, 'contact', input['customFields'] as AnyRow | undefined, null);
      // A new contact has no sales and no leads yet: its derived lifecycle is that of no facts.
      const lifecycle = (override as string | null | undefined) ?? deriveLifecycle(noLifecycleFacts, deps.now());
      return insertRow(tx, contact as TenantTable, actor, 'contact', { ...input, ownerId, customFields, lifecycle, lifecycleOverride: override ?? null });
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
      const access = await profileAccess(tx, actor);
      if (!access.canSeeSensitive) assertNoSensitiveWrite(body, access.sensitiveCustomKeys);
      const before = await findRow(tx, contact as TenantTable, actor.workspaceId, id, 'contact', true);
      const { lifecycle: override, ...patch } = await enforceCapturePolicy(tx, actor.workspaceId, 'contact', body, { partial: true, existing: before });
      if (override !== undefined) {
        patch['lifecycleOverride'] = override;
        patch['lifecycle'] = override ?? await derivedLifecycle(tx, actor.workspaceId, id, deps.now());
      }
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
