import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { assertCanAssign, assertManagerOrAdmin, canSee } from '../../domain/access.js';
import { fieldError, forbidden, invalid, type FieldError } from '../../domain/errors.js';
import { priceSale, type SaleLineInput } from '../../domain/sale.js';
import type { Database, Db } from '../client.js';
import { runList, selectList, type Page } from '../list.js';
import { recordAudit } from '../audit.js';
import { deleteRow, findRow, insertRow, updateRow } from '../repository.js';
import { appUser, company, contact, lead, product, sale, saleLine, stage, workspace } from '../schema.js';
import { decodeCursor, limitParam } from './activities.js';
import { assertReferences } from './contacts.js';
import { lockLead, moveLeadInTx } from './leads.js';
import { scheduleFollowUpInTx, type SaleForFollowUp } from './follow-ups.js';
import { refreshLifecycle } from './profile.js';
import { managedUserIdsInTx } from './users.js';

type AnyRow = Record<string, unknown>;


export type SaleLineRequest = { productId?: string | null; description?: string | null; quantity: number; unitPrice?: number | null };

export type SaleInput = {
  contactId?: string | null;
  companyId?: string | null;
  leadId?: string | null;
  ownerId?: string | null;
  soldAt?: Date | null;
  currency?: string | null;
  notes?: string | null;
  lines: SaleLineRequest[];
};

export type SalePatch = Omit<Partial<SaleInput>, 'leadId'>;

/** sale.total and sale_line.line_total are numeric(14, 2). */
const MAX_AMOUNT = 999_999_999_999.99;

/** Ids named in the request must be this workspace's; checked before any write so the answer names the field. */
function assertSaleReferences(tx: Db, workspaceId: string, refs: { contactId?: string | null; companyId?: string | null; ownerId?: string | null }) {
  return assertReferences(tx, workspaceId, [
    { field: 'contactId', table: contact, ids: refs.contactId },
    { field: 'companyId', table: company, ids: refs.companyId },
    { field: 'ownerId', table: appUser, ids: refs.ownerId },
  ]);
}


/** Sales are owned records without sharing: their owner, the owner's manager and admins see them. */
async function assertSaleVisible(tx: Db, actor: Actor, row: AnyRow): Promise<void> {
  if (actor.role === 'admin') return;
  if (!canSee(actor, { ownerId: (row['ownerId'] as string | null) ?? null }, await managedUserIdsInTx(tx, actor))) {
    throw forbidden('This sale belongs to someone else.');
  }
}

/**
 * Each line's product must be one of this workspace's; its unit price is the product's unless one is
 * given, and its description the product's name (kept, so renaming a product does not rewrite past sales).
 */
async function resolveLines(tx: Db, workspaceId: string, lines: SaleLineRequest[]): Promise<SaleLineInput[]> {
  const ids = [...new Set(lines.map((l) => l.productId).filter((x): x is string => !!x))];
  const products = ids.length
    ? await tx.select({ id: product.id, name: product.name, unitPrice: product.unitPrice }).from(product)
      .where(and(eq(product.workspaceId, workspaceId), inArray(product.id, ids)))
    : [];
  const byId = new Map(products.map((p) => [p.id, p]));
  const errors: FieldError[] = [];
  const resolved = lines.map((l, i) => {
    const p = l.productId ? byId.get(l.productId) : undefined;
    if (l.productId && !p) errors.push({ field: `lines.${i}.productId`, code: 'not_found', message: 'No such product in this workspace.' });
    if (!l.productId && (l.unitPrice === undefined || l.unitPrice === null)) {
      errors.push({ field: `lines.${i}.unitPrice`, code: 'required', message: 'A line without a product needs its unit price.' });
    }
    return {
      productId: l.productId ?? null,
      description: l.description?.trim() || p?.name || null,
      quantity: l.quantity,
      unitPrice: l.unitPrice ?? p?.unitPrice ?? 0,
    };
  });
  if (errors.length) throw invalid(errors);
  return resolved;
}

function price(lines: SaleLineInput[]) {
  const priced = priceSale(lines);
  if (priced.total > MAX_AMOUNT) throw fieldError('lines', 'too_large', 'The sale total is larger than the largest amount stored.');
  return priced;
}

async function insertLines(tx: Db, workspaceId: string, saleId: string, lines: ReturnType<typeof priceSale>['lines']): Promise<void> {
  await tx.insert(saleLine).values(lines.map((l) => ({
    workspaceId, saleId, position: l.position, productId: l.productId ?? null, description: l.description ?? null,
    quantity: l.quantity, unitPrice: l.unitPrice, lineTotal: l.lineTotal,
  })));
}

/** The sale's own audit event shows its total; this one keeps what the lines were and became. */
async function recordLinesAudit(tx: Db, actor: Actor, saleId: string, before: AnyRow[], after: ReturnType<typeof priceSale>['lines']): Promise<void> {
  const shape = (l: AnyRow) => ({ productId: l['productId'] ?? null, description: l['description'] ?? null, quantity: l['quantity'], unitPrice: l['unitPrice'], lineTotal: l['lineTotal'] });
  await recordAudit(tx, {
    workspaceId: actor.workspaceId, userId: actor.userId, entity: 'sale', entityId: saleId, action: 'lines',
    before: { lines: before.map(shape) }, after: { lines: after.map(shape) },
  });
}

async function lockReferencedLead(tx: Db, actor: Actor, leadId: string): Promise<AnyRow> {
  const found = await tx.select({ id: lead.id }).from(lead).where(and(eq(lead.workspaceId, actor.workspaceId), eq(lead.id, leadId)));
  if (!found[0]) throw fieldError('leadId', 'not_found', 'No such lead in this workspace.');
  return lockLead(tx, actor, leadId);
}

/** An open lead closed by its sale: moved to its pipeline's won stage, its amount the sale's total. */
async function winLead(tx: Db, actor: Actor, leadRow: AnyRow, total: number, currency: string, now: Date): Promise<void> {
  if (leadRow['status'] !== 'open') return;
  const won = await tx.select({ id: stage.id }).from(stage)
    .where(and(eq(stage.workspaceId, actor.workspaceId), eq(stage.pipelineId, leadRow['pipelineId'] as string), eq(stage.kind, 'won')))
    .orderBy(asc(stage.position)).limit(1);
  if (!won[0]) throw fieldError('leadId', 'no_won_stage', 'The lead\'s pipeline has no won stage.');
  const moved = await moveLeadInTx(tx, actor, leadRow['id'] as string, won[0].id, {}, now);
  await updateRow(tx, lead, actor, 'lead', moved, { amount: total, currency }, undefined, 'sale');
}

/**
 * Records a sale with its lines in the caller's transaction: prices it (domain priceSale), makes its
 * contact a client and, when it closes an open lead, moves the lead to won with the sale's total.
 * Everything is checked before the first write; any later failure rolls the whole sale back.
 */
export async function recordSale(tx: Db, actor: Actor, input: SaleInput, now: Date): Promise<AnyRow> {
  const leadRow = input.leadId ? await lockReferencedLead(tx, actor, input.leadId) : null;
  const contactId = input.contactId ?? (leadRow?.['contactId'] as string | null | undefined) ?? null;
  const companyId = input.companyId ?? (leadRow?.['companyId'] as string | null | undefined) ?? null;
  if (!contactId && !companyId) throw fieldError('contactId', 'required', 'A sale needs a contact or a company.');
  const ownerId = input.ownerId ?? actor.userId;
  assertCanAssign(actor, actor.userId, ownerId);
  await assertSaleReferences(tx, actor.workspaceId, input);
  const priced = price(await resolveLines(tx, actor.workspaceId, input.lines));
  const currency = input.currency ?? (await tx.select({ currency: workspace.currency }).from(workspace).where(eq(workspace.id, actor.workspaceId)))[0]!.currency;

  const row = await insertRow(tx, sale, actor, 'sale', {
    contactId, companyId, leadId: input.leadId ?? null, ownerId, soldAt: input.soldAt ?? now,
    total: priced.total, currency, notes: input.notes ?? null,
  });
  await insertLines(tx, actor.workspaceId, row['id'] as string, priced.lines);
  await recordLinesAudit(tx, actor, row['id'] as string, [], priced.lines);
  if (leadRow) await winLead(tx, actor, leadRow, priced.total, currency, now);
  // Whoever buys is a client (src/domain/profile.ts deriveLifecycle), in the sale's transaction.
  await refreshLifecycle(tx, actor, [contactId], now);
  // The post-sale follow-up commits with the sale (none when its window had already closed).
  await scheduleFollowUpInTx(tx, actor, row as SaleForFollowUp, now);
  return row;
}

/** Edits a sale; `lines`, when sent, replace all lines and the total is recomputed. */
export async function updateSaleInTx(tx: Db, actor: Actor, id: string, patch: SalePatch, expectedVersion: number | undefined, now = new Date()): Promise<AnyRow> {
  const before = await findRow(tx, sale, actor.workspaceId, id, 'sale', true);
  await assertSaleVisible(tx, actor, before);
  const { lines, ...fields } = patch;
  if (fields.ownerId !== undefined) assertCanAssign(actor, before['ownerId'] as string | null, fields.ownerId);
  const contactId = fields.contactId !== undefined ? fields.contactId : before['contactId'] as string | null;
  const companyId = fields.companyId !== undefined ? fields.companyId : before['companyId'] as string | null;
  if (!contactId && !companyId) throw fieldError('contactId', 'required', 'A sale needs a contact or a company.');
  await assertSaleReferences(tx, actor.workspaceId, fields);
  const values: AnyRow = { ...fields };
  if (lines) {
    const priced = price(await resolveLines(tx, actor.workspaceId, lines));
    values['total'] = priced.total;
    const old = (await linesOf(tx, actor.workspaceId, [id])).get(id) ?? [];
    await tx.delete(saleLine).where(and(eq(saleLine.workspaceId, actor.workspaceId), eq(saleLine.saleId, id)));
    await insertLines(tx, actor.workspaceId, id, priced.lines);
    await recordLinesAudit(tx, actor, id, old, priced.lines);
  }
  const row = await updateRow(tx, sale, actor, 'sale', before, values, expectedVersion);
  // A sale moved to another contact or another date can change both contacts' lifecycles.
  await refreshLifecycle(tx, actor, [before['contactId'] as string | null, contactId], now);
  return row;
}

/** Deleting a sale is for managers and admins (it changes the figures everyone reports on). */
export async function deleteSaleInTx(tx: Db, actor: Actor, id: string, now = new Date()): Promise<void> {
  assertManagerOrAdmin(actor, 'Only a manager or an admin can delete a sale.');
  const before = await findRow(tx, sale, actor.workspaceId, id, 'sale', true);
  await assertSaleVisible(tx, actor, before);
  await deleteRow(tx, sale, actor, 'sale', before);
  await refreshLifecycle(tx, actor, [before['contactId'] as string | null], now);
}

async function linesOf(db: Db, workspaceId: string, saleIds: string[]): Promise<Map<string, AnyRow[]>> {
  const out = new Map<string, AnyRow[]>(saleIds.map((id) => [id, []]));
  if (!saleIds.length) return out;
  const rows = await db.select({
    id: saleLine.id, saleId: saleLine.saleId, position: saleLine.position, productId: saleLine.productId, description: saleLine.description,
    quantity: saleLine.quantity, unitPrice: saleLine.unitPrice, lineTotal: saleLine.lineTotal,
  }).from(saleLine).where(and(eq(saleLine.workspaceId, workspaceId), inArray(saleLine.saleId, saleIds)))
    .orderBy(asc(saleLine.saleId), asc(saleLine.position));
  for (const { saleId, ...l } of rows) out.get(saleId)?.push(l);
  return out;
}

/** One sale with its lines, if the actor may see it (403 otherwise). */
export async function getSale(db: Db, actor: Actor, id: string): Promise<AnyRow> {
  const row = await findRow(db, sale, actor.workspaceId, id, 'sale');
  await assertSaleVisible(db, actor, row);
  return { ...row, lines: (await linesOf(db, actor.workspaceId, [id])).get(id) ?? [] };
}

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const saleFilters = ['contactId', 'companyId', 'leadId', 'ownerId', 'productId', 'soldFrom', 'soldTo', 'totalMin', 'totalMax'] as const;
const sorts = { soldAt: { expr: 's.sold_at', type: 'timestamp' as const, cast: 'timestamptz' }, total: { expr: 's.total', type: 'number' as const, cast: 'numeric' } };

/**
 * Sales the actor may see (own; a manager's team's; all for admins), filtered and keyset-paginated,
 * each with its lines. Default order: most recent first.
 */
export async function listSales(database: Database, actor: Actor, params: Record<string, string | undefined>): Promise<Page<AnyRow>> {
  const values: unknown[] = [actor.workspaceId];
  const p = (v: unknown) => { values.push(v); return `$${values.length}`; };
  const where = ['s.workspace_id = $1'];
  const get = (name: string) => { const v = params[name]?.trim(); return v ? v : undefined; };
  const uuid = (name: string) => {
    const v = get(name);
    if (v !== undefined && !uuidRe.test(v)) throw fieldError(name, 'invalid_uuid', `${name} must be a UUID.`);
    return v;
  };
  const time = (name: string) => {
    const v = get(name);
    if (v === undefined) return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw fieldError(name, 'invalid_date', `${name} must be an ISO 8601 date.`);
    return d.toISOString();
  };
  const num = (name: string) => {
    const v = get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw fieldError(name, 'invalid_number', `${name} must be a number.`);
    return n;
  };

  for (const [name, column] of [['contactId', 'contact_id'], ['companyId', 'company_id'], ['leadId', 'lead_id'], ['ownerId', 'owner_id']] as const) {
    const v = uuid(name);
    if (v) where.push(`s.${column} = ${p(v)}`);
  }
  const productId = uuid('productId');
  if (productId) where.push(`EXISTS (SELECT 1 FROM sale_line sl WHERE sl.workspace_id = s.workspace_id AND sl.sale_id = s.id AND sl.product_id = ${p(productId)})`);
  const soldFrom = time('soldFrom');
  if (soldFrom) where.push(`s.sold_at >= ${p(soldFrom)}::timestamptz`);
  const soldTo = time('soldTo');
  if (soldTo) where.push(`s.sold_at < ${p(soldTo)}::timestamptz`);
  const totalMin = num('totalMin');
  if (totalMin !== undefined) where.push(`s.total >= ${p(totalMin)}`);
  const totalMax = num('totalMax');
  if (totalMax !== undefined) where.push(`s.total <= ${p(totalMax)}`);
  if (actor.role !== 'admin') {
    const u = p(actor.userId);
    const team = actor.role === 'manager'
      ? ` OR s.owner_id IN (SELECT m.id FROM app_user m JOIN team t ON t.workspace_id = m.workspace_id AND t.id = m.team_id WHERE m.workspace_id = $1 AND t.manager_id = ${u})`
      : '';
    where.push(`(s.owner_id IS NULL OR s.owner_id = ${u}${team})`);
  }

  const sortParam = params['sort'] ?? '-soldAt';
  const desc = sortParam.startsWith('-');
  const sort = sorts[(desc ? sortParam.slice(1) : sortParam) as keyof typeof sorts];
  if (!sort) throw fieldError('sort', 'invalid_choice', 'sort must be one of: soldAt, -soldAt, total, -total.');
  const limit = limitParam(params['limit']);
  if (params['cursor']) {
    const [v, id] = decodeCursor(params['cursor']);
    where.push(`(${sort.expr}, s.id) ${desc ? '<' : '>'} (${p(v)}::${sort.cast}, ${p(id)}::uuid)`);
  }
  const dir = desc ? 'DESC' : 'ASC';
  const text = `SELECT ${selectList(sale, 's')}, (${sort.expr})::text AS "__sort"
      FROM sale s
     WHERE ${where.join('\n       AND ')}
     ORDER BY ${sort.expr} ${dir}, s.id ${dir}
     LIMIT ${limit + 1}`;
  const page = await runList<AnyRow>(database, { text, params: values, limit, sortKey: desc ? sortParam.slice(1) : sortParam, sortExpr: sort });
  const lines = await linesOf(database.db, actor.workspaceId, page.data.map((s) => s['id'] as string));
  return { data: page.data.map((s) => ({ ...s, lines: lines.get(s['id'] as string) ?? [] })), nextCursor: page.nextCursor };
}
