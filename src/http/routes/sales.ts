import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteSaleInTx, getSale, listSales, recordSale, saleFilters, updateSaleInTx, type SalePatch } from '../../db/queries/sales.js';
import { write } from '../../db/repository.js';
import { expectedVersion } from '../resource.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { IdParam, pageOf, problemResponses, recordMeta, Timestamp, TimestampOut, Uuid } from '../schemas.js';

type AnyRow = Record<string, unknown>;

const withEtag = (c: Context<AppEnv>, row: AnyRow) => c.header('ETag', `"${String(row['version'])}"`);

/** Amounts are stored in cents and quantities in thousandths; more decimals would be silently rounded away. */
const hasAtMostDecimals = (places: number) => (v: number) => {
  const f = 10 ** places;
  return Math.round(v * f) / f === v;
};

export const SaleLineIn = z.strictObject({
  productId: Uuid.nullish(),
  description: z.string().trim().max(500).nullish().openapi({ description: "Default: the product's name" }),
  quantity: z.number().max(99_999_999).refine(hasAtMostDecimals(3), 'At most 3 decimals.'),
  unitPrice: z.number().max(9_999_999_999).refine(hasAtMostDecimals(2), 'At most 2 decimals (cents).').nullish()
    .openapi({ description: "Default: the product's unit price" }),
}).openapi('SaleLineInput');

const saleFields = {
  contactId: Uuid.nullish(),
  companyId: Uuid.nullish(),
  ownerId: Uuid.nullish().openapi({ description: 'Default: you (only managers and admins record sales for others)' }),
  soldAt: Timestamp.optional().openapi({ description: 'Default: now' }),
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. EUR').optional().openapi({ description: "Default: the workspace's" }),
  notes: z.string().max(5000).nullish(),
  lines: z.array(SaleLineIn).max(500),
};

export const SaleIn = z.strictObject({
  ...saleFields,
  leadId: Uuid.nullish().openapi({ description: 'The lead this sale closes: an open lead is moved to won with the sale total' }),
}).openapi('SaleInput');

export const SalePatchIn = z.strictObject({
  ...saleFields,
  lines: saleFields.lines.optional().openapi({ description: 'Replaces every line; the total is recomputed' }),
  version: z.number().int().optional(),
}).openapi('SalePatch');

export const SaleLineOut = z.object({
  id: Uuid, position: z.number().int(), productId: Uuid.nullable(), description: z.string().nullable(),
  quantity: z.number(), unitPrice: z.number(), lineTotal: z.number(),
}).openapi('SaleLine');

export const SaleOut = z.object({
  ...recordMeta,
  contactId: Uuid.nullable(), companyId: Uuid.nullable(), leadId: Uuid.nullable(), ownerId: Uuid.nullable(),
  soldAt: TimestampOut, total: z.number(), currency: z.string(), notes: z.string().nullable(),
  lines: z.array(SaleLineOut),
}).openapi('Sale');

const filterDescriptions: Record<(typeof saleFilters)[number], string> = {
  contactId: 'Sales to this contact', companyId: 'Sales to this company', leadId: 'Sales that closed this lead',
  ownerId: 'Sales by this user', productId: 'Sales with a line of this product',
  soldFrom: 'Sold at or after (inclusive)', soldTo: 'Sold before (exclusive)',
  totalMin: 'Total at least (inclusive)', totalMax: 'Total at most (inclusive)',
};

const SaleQuery = z.strictObject({
  ...Object.fromEntries(saleFilters.map((f) => [f, z.string().optional().openapi({ description: filterDescriptions[f] })])),
  sort: z.string().optional().openapi({ description: 'soldAt or total; prefix - for descending. Default -soldAt' }),
  limit: z.string().optional().openapi({ description: 'Page size, 1–500 (default 50)' }),
  cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
});

const toDate = (s: string | undefined) => (s === undefined ? undefined : new Date(s));

export function saleRoutes(deps: Deps) {
  const r = newRouter();
  const view = (c: Context<AppEnv>, id: string) => getSale(deps.database.db, c.get('actor'), id);

  r.openapi(createRoute({
    method: 'get', path: '/sales', tags: ['sales'], summary: 'List sales (with their lines)',
    request: { query: SaleQuery },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: pageOf(SaleOut) } } }, ...problemResponses },
  }), async (c) => {
    const page = await listSales(deps.database, c.get('actor'), c.req.valid('query') as Record<string, string | undefined>);
    return c.json(page as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/sales/{id}', tags: ['sales'], summary: 'Get one sale with its lines',
    request: { params: IdParam },
    responses: { 200: { description: 'The sale', content: { 'application/json': { schema: SaleOut } } }, ...problemResponses },
  }), async (c) => {
    const row = await view(c, c.req.valid('param').id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/sales', tags: ['sales'],
    summary: 'Record a sale: its contact becomes a client; an open lead it closes is moved to won',
    request: { body: { content: { 'application/json': { schema: SaleIn } }, required: true } },
    responses: { 201: { description: 'Created', content: { 'application/json': { schema: SaleOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { soldAt, ...rest } = c.req.valid('json');
    const created = await write(deps.database, (tx) => recordSale(tx, actor, { ...rest, soldAt: toDate(soldAt) ?? null }, deps.now()));
    const row = await view(c, created['id'] as string);
    withEtag(c, row);
    c.header('Location', `/api/v1/sales/${String(row['id'])}`);
    return c.json(row as never, 201);
  });

  r.openapi(createRoute({
    method: 'patch', path: '/sales/{id}', tags: ['sales'],
    summary: 'Edit a sale; lines, when sent, replace the old ones (send If-Match or version)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: SalePatchIn } }, required: true } },
    responses: { 200: { description: 'Updated', content: { 'application/json': { schema: SaleOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const id = c.req.valid('param').id;
    const { version, soldAt, ...rest } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    const patch: SalePatch = { ...rest, ...(soldAt !== undefined ? { soldAt: toDate(soldAt) } : {}) };
    await write(deps.database, (tx) => updateSaleInTx(tx, actor, id, patch, expected));
    const row = await view(c, id);
    withEtag(c, row);
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'delete', path: '/sales/{id}', tags: ['sales'], summary: 'Delete a sale (managers and admins)',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    await write(deps.database, (tx) => deleteSaleInTx(tx, actor, c.req.valid('param').id));
    return c.body(null, 204);
  });
  return r;
}
