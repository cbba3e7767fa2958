import { createRoute, z } from '@hono/zod-openapi';
import { product } from '../../db/schema.js';
import type { ListSpec } from '../../db/list.js';
import type { Db } from '../../db/client.js';
import { deleteRow, findRow, write, type TenantTable } from '../../db/repository.js';
import { productUsage, type Usage } from '../../db/queries/reference-data.js';
import { assertManagerOrAdmin } from '../../domain/access.js';
import { AppError } from '../../domain/errors.js';
import { resourceRoutes, type ResourceSpec } from '../resource.js';
import type { Deps, Router } from '../context.js';
import { IdParam, problemResponses, recordMeta } from '../schemas.js';

const productFields = {
  name: z.string().trim().min(1).max(200),
  sku: z.string().trim().max(80).nullish(),
  category: z.string().trim().max(120).nullish(),
  unitPrice: z.number().min(0).max(999_999_999_999).optional(),
  isActive: z.boolean().optional(),
};
export const ProductIn = z.strictObject(productFields).openapi('ProductInput');
export const ProductPatch = z.strictObject({ ...productFields, name: productFields.name.optional(), version: z.number().int().optional() }).openapi('ProductPatch');
export const ProductOut = z.object({
  ...recordMeta, name: z.string(), sku: z.string().nullable(), category: z.string().nullable(), unitPrice: z.number(), isActive: z.boolean(),
}).openapi('Product');

export const productList: ListSpec = {
  table: product,
  // A small table: the search scans it, no trigram index needed.
  searchColumn: "f_search_text(name || ' ' || coalesce(sku, '') || ' ' || coalesce(category, ''))",
  scope: 'workspace',
  filters: {
    isActive: { kind: 'bool', column: 'is_active' },
    category: { kind: 'in', column: 'category', type: 'text' },
  },
  sorts: { name: { expr: 'lower(name)', type: 'text' }, unitPrice: { expr: 'unit_price', type: 'number' }, createdAt: { expr: 'created_at', type: 'timestamp' } },
  defaultSort: 'name',
};

export const managersWrite = (actor: Parameters<typeof assertManagerOrAdmin>[0]) =>
  assertManagerOrAdmin(actor, 'Only a manager or an admin can change the catalogue and the sources.');

/**
 * DELETE for reference data (products, sources, campaigns): refused with 409 while anything points at
 * the record, because the foreign keys would null those references and rewrite history. The answer
 * names the usage and suggests deactivating instead.
 */
export function addGuardedDelete(r: Router, deps: Deps, opts: {
  entity: string; path: string; tag: string; table: TenantTable;
  usage: (tx: Db, workspaceId: string, id: string) => Promise<Usage>;
  alternative: string;
}) {
  r.openapi(createRoute({
    method: 'delete', path: `${opts.path}/{id}`, tags: [opts.tag],
    summary: `Delete a ${opts.entity} that nothing uses (409 otherwise)`,
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    await write(deps.database, async (tx) => {
      const before = await findRow(tx, opts.table, actor.workspaceId, c.req.valid('param').id, opts.entity, true);
      managersWrite(actor);
      const usage = await opts.usage(tx, actor.workspaceId, before['id'] as string);
      const used = Object.entries(usage).filter(([, n]) => n > 0);
      if (used.length) {
        throw new AppError('conflict',
          `The ${opts.entity} is used by ${used.map(([k, n]) => `${n} ${k}`).join(' and ')}; ${opts.alternative}`,
          [], { reason: 'in_use', usage });
      }
      await deleteRow(tx, opts.table, actor, opts.entity, before);
    });
    return c.body(null, 204);
  });
}

export function productRoutes(deps: Deps) {
  const spec: ResourceSpec = {
    entity: 'product', path: '/products', tag: 'products', table: product, list: productList,
    out: ProductOut, createIn: ProductIn, updateIn: ProductPatch, without: ['delete'],
    canWrite: managersWrite,
  };
  const r = resourceRoutes(deps, spec);
  addGuardedDelete(r, deps, {
    entity: 'product', path: '/products', tag: 'products', table: product, usage: productUsage,
    alternative: 'deactivate it instead (isActive: false) to keep the history.',
  });
  return r;
}
