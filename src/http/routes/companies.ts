import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Actor } from '../../domain/access.js';
import { AppError, fieldError } from '../../domain/errors.js';
import type { Db } from '../../db/client.js';
import { findRow, updateRow, write, type TenantTable } from '../../db/repository.js';
import { company } from '../../db/schema.js';
import type { ListSpec } from '../../db/list.js';
import { enforceCapturePolicy } from '../../db/queries/capture-policy.js';
import { resolveCustomFields } from '../../db/queries/custom-fields.js';
import { assertCanAssign, assertManagerOrAdmin } from '../../domain/access.js';
import { expectedVersion, resourceRoutes, type ResourceSpec } from '../resource.js';
import { CustomFieldValues, IdParam, problemResponses, recordMeta, TimestampOut, Uuid } from '../schemas.js';
import type { AppEnv, Deps, Router } from '../context.js';

const addressIn = {
  address: z.string().trim().max(300).nullish(),
  postalCode: z.string().trim().max(20).nullish(),
  neighbourhood: z.string().trim().max(120).nullish(),
  city: z.string().trim().max(120).nullish(),
  region: z.string().trim().max(120).nullish(),
  country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code, e.g. ES').nullish(),
};
export const addressOut = {
  address: z.string().nullable(), postalCode: z.string().nullable(), neighbourhood: z.string().nullable(),
  city: z.string().nullable(), region: z.string().nullable(), country: z.string().nullable(),
};
export { addressIn };

const companyFields = {
  name: z.string().trim().min(1).max(200),
  sector: z.string().trim().max(120).nullish(),
  employees: z.number().int().min(0).nullish(),
  annualRevenue: z.number().min(0).nullish(),
  website: z.string().trim().max(300).nullish(),
  email: z.email().max(254).transform((e) => e.toLowerCase()).nullish(),
  phone: z.string().trim().max(40).nullish(),
  ...addressIn,
  ownerId: Uuid.nullish(),
  customFields: z.record(z.string(), z.unknown()).optional(),
};

export const CompanyIn = z.strictObject(companyFields).openapi('CompanyInput');
export const CompanyPatch = z.strictObject({ ...companyFields, name: companyFields.name.optional(), version: z.number().int().optional() }).openapi('CompanyPatch');
export const CompanyOut = z.object({
  ...recordMeta,
  name: z.string(), sector: z.string().nullable(), employees: z.number().nullable(), annualRevenue: z.number().nullable(),
  website: z.string().nullable(), email: z.string().nullable(), phone: z.string().nullable(), ...addressOut,
  ownerId: Uuid.nullable(), customFields: CustomFieldValues,
  status: z.enum(['active', 'cancelled']), cancelReason: z.string().nullable(), cancelledAt: TimestampOut.nullable(),
}).openapi('Company');

export const companyList: ListSpec = {
  table: company,
  scope: 'workspace',
  hideCancelled: true,
  searchColumn: 'search_text',
  filters: {
    ownerId: { kind: 'in', column: 'owner_id', type: 'uuid' },
    sector: { kind: 'in', column: 'sector', type: 'text' },
    city: { kind: 'in', column: 'city', type: 'text' },
    postalCode: { kind: 'in', column: 'postal_code', type: 'text' },
    neighbourhood: { kind: 'in', column: 'neighbourhood', type: 'text' },
    status: { kind: 'enum', column: 'status', values: ['active', 'cancelled'] },
    createdFrom: { kind: 'gte', column: 'created_at', type: 'timestamp' },
    createdTo: { kind: 'lt', column: 'created_at', type: 'timestamp' },
  },
  sorts: {
    name: { expr: 'lower(name)', type: 'text' },
    createdAt: { expr: 'created_at', type: 'timestamp' },
    updatedAt: { expr: 'updated_at', type: 'timestamp' },
  },
  defaultSort: 'name',
};

export function companyRoutes(deps: Deps) {
  const spec: ResourceSpec = {
    entity: 'company', path: '/companies', tag: 'companies', table: company, list: companyList,
    out: CompanyOut, createIn: CompanyIn, updateIn: CompanyPatch,
    canDelete: (actor) => assertManagerOrAdmin(actor, 'Only a manager or an admin can delete a company.'),
    beforeCreate: async ({ tx, actor }, body) => {
      const input = await enforceCapturePolicy(tx, actor.workspaceId, 'company', body);
      const ownerId = (input['ownerId'] as string | null | undefined) ?? actor.userId;
      assertCanAssign(actor, actor.userId, ownerId);
      return { ...input, ownerId, customFields: await resolveCustomFields(tx, actor.workspaceId, 'company', input['customFields'] as Record<string, unknown> | undefined, null) };
    },
    beforeUpdate: async ({ tx, actor }, before, body) => {
      const patch = await enforceCapturePolicy(tx, actor.workspaceId, 'company', body, { partial: true, existing: before });
      if ('ownerId' in patch) assertCanAssign(actor, before['ownerId'] as string | null, (patch['ownerId'] as string | null) ?? null);
      const customFields = await resolveCustomFields(tx, actor.workspaceId, 'company', patch['customFields'] as Record<string, unknown> | undefined, before['customFields'] as Record<string, string | number | null>);
      return { ...patch, ...(customFields ? { customFields } : {}) };
    },
  };
  const r = resourceRoutes(deps, spec);
  addCancelRestoreRoutes(r, deps, {
    entity: 'company', path: '/companies', tag: 'companies', table: company, out: CompanyOut,
    view: (actor, id) => findRow(deps.database.db, company, actor.workspaceId, id, 'company'),
  });
  return r;
}

// Cancel / restore, shared by companies, contacts and leads.

type AnyRow = Record<string, unknown>;
const withEtag = (c: Context<AppEnv>, row: AnyRow) => c.header('ETag', `"${String(row['version'])}"`);

export const CancelIn = z.strictObject({
  reason: z.string().trim().min(1).max(500).openapi({ description: 'Why the record is cancelled (kept in the history)' }),
  version: z.number().int().optional(),
}).openapi('CancelInput');
export const RestoreIn = z.strictObject({ version: z.number().int().optional() }).openapi('RestoreInput');

export type CancelRestoreSpec = {
  entity: string;
  /** Collection path, e.g. '/contacts'. */
  path: string;
  tag: string;
  table: TenantTable;
  out: z.ZodObject;
  /** The record in its API shape, read after the change commits. */
  view: (actor: Actor, id: string) => Promise<AnyRow>;
  /** Throws when the actor may not change this (locked) row. */
  authorize?: (tx: Db, actor: Actor, row: AnyRow) => Promise<void> | void;
  /** Column values that cancel the row; default: status cancelled with reason and time. */
  cancel?: (before: AnyRow, reason: string, now: Date) => AnyRow;
  /** Column values that restore the row; default: status active. */
  restore?: (tx: Db, actor: Actor, before: AnyRow) => Promise<AnyRow> | AnyRow;
};

/** Cancelling is reversible and keeps the record (history, sales) while hiding it from working lists. */
function cancelActive(before: AnyRow, reason: string, now: Date): AnyRow {
  if (before['status'] === 'cancelled') throw new AppError('conflict', 'The record is already cancelled.', [], { reason: 'already_cancelled' });
  const r = reason.trim();
  if (!r) throw fieldError('reason', 'required', 'Cancelling needs a reason.');
  return { status: 'cancelled', cancelReason: r, cancelledAt: now };
}

function restoreActive(before: AnyRow): AnyRow {
  if (before['status'] !== 'cancelled') throw new AppError('conflict', 'Only a cancelled record can be restored.', [], { reason: 'not_cancelled' });
  return { status: 'active', cancelReason: null, cancelledAt: null };
}

/** Adds POST {path}/{id}/cancel and POST {path}/{id}/restore to a router; both audited. */
export function addCancelRestoreRoutes(r: Router, deps: Deps, spec: CancelRestoreSpec): void {
  const idPath = `${spec.path}/{id}`;
  r.openapi(createRoute({
    method: 'post', path: `${idPath}/cancel`, tags: [spec.tag], summary: `Cancel a ${spec.entity} (hidden from lists, can be restored)`,
    request: { params: IdParam, body: { content: { 'application/json': { schema: CancelIn } }, required: true } },
    responses: { 200: { description: 'Cancelled', content: { 'application/json': { schema: spec.out } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { reason, version } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    await write(deps.database, async (tx) => {
      const before = await findRow(tx, spec.table, actor.workspaceId, id, spec.entity, true);
      await spec.authorize?.(tx, actor, before);
      const values = (spec.cancel ?? cancelActive)(before, reason, deps.now());
      return updateRow(tx, spec.table, actor, spec.entity, before, values, expected, 'cancel');
    });
    const row = await spec.view(actor, id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: `${idPath}/restore`, tags: [spec.tag], summary: `Restore a cancelled ${spec.entity}`,
    request: { params: IdParam, body: { content: { 'application/json': { schema: RestoreIn } }, required: false } },
    responses: { 200: { description: 'Restored', content: { 'application/json': { schema: spec.out } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const body = (c.req.valid('json') ?? {}) as { version?: number };
    const expected = expectedVersion(c, body.version);
    await write(deps.database, async (tx) => {
      const before = await findRow(tx, spec.table, actor.workspaceId, id, spec.entity, true);
      await spec.authorize?.(tx, actor, before);
      const values = spec.restore ? await spec.restore(tx, actor, before) : restoreActive(before);
      return updateRow(tx, spec.table, actor, spec.entity, before, values, expected, 'restore');
    });
    const row = await spec.view(actor, id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });
}


