import { z } from '@hono/zod-openapi';
import { company } from '../../db/schema.js';
import type { ListSpec } from '../../db/list.js';
import { resolveCustomFields } from '../../db/queries/custom-fields.js';
import { assertCanAssign, assertManagerOrAdmin } from '../../domain/access.js';
import { resourceRoutes, type ResourceSpec } from '../resource.js';
import { CustomFieldValues, recordMeta, TimestampOut, Uuid } from '../schemas.js';
import type { Deps } from '../context.js';

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
    beforeCreate: async ({ tx, actor }, input) => {
      const ownerId = (input['ownerId'] as string | null | undefined) ?? actor.userId;
      assertCanAssign(actor, actor.userId, ownerId);
      return { ...input, ownerId, customFields: await resolveCustomFields(tx, actor.workspaceId, 'company', input['customFields'] as Record<string, unknown> | undefined, null) };
    },
    beforeUpdate: async ({ tx, actor }, before, patch) => {
      if ('ownerId' in patch) assertCanAssign(actor, before['ownerId'] as string | null, (patch['ownerId'] as string | null) ?? null);
      const customFields = await resolveCustomFields(tx, actor.workspaceId, 'company', patch['customFields'] as Record<string, unknown> | undefined, before['customFields'] as Record<string, string | number | null>);
      return { ...patch, ...(customFields ? { customFields } : {}) };
    },
  };
  return resourceRoutes(deps, spec);
}
