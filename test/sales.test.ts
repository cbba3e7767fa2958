import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { hashPassword } from '../src/auth/password.js';
import { createWorkspace } from '../src/db/queries/workspaces.js';
import { auditEvent, contact, lead, leadStageHistory, pipeline, product, sale, saleLine, stage, team } from '../src/db/schema.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp, addLoggedInUser } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let stages: Record<'cold' | 'won', { id: string; pipelineId: string; probability: number }>;
// Luis sells in Pedro's team; Marta sells in no team.
let luis: { id: string; c: Client };
let marta: { id: string; c: Client };
let pedro: { id: string; c: Client };
let chair: string;
let table: string;
let foreignProduct: string;

const db = () => t.deps.database.db;

const addUser = (name: string, email: string, role: 'manager' | 'sales', teamId: string | null = null) =>
  addLoggedInUser(t, workspaceId, { name, email, role, teamId });

async function addContact(firstName: string) {
  const [row] = await db().insert(contact).values({ workspaceId, firstName }).returning();
  return row!.id;
}

async function addProduct(ws: string, name: string, unitPrice: number) {
  const [row] = await db().insert(product).values({ workspaceId: ws, name, unitPrice }).returning();
  return row!.id;
}

/** A lead inserted directly, so these tests do not depend on the leads API. */
async function addLead(opts: { title: string; ownerId: string; contactId: string; won?: boolean; stageId?: string; pipelineId?: string }) {
  const s = opts.won ? stages.won : stages.cold;
  const [row] = await db().insert(lead).values({
    workspaceId, title: opts.title, contactId: opts.contactId, pipelineId: opts.pipelineId ?? s.pipelineId, stageId: opts.stageId ?? s.id,
    probability: s.probability, currency: 'EUR', ownerId: opts.ownerId, status: opts.won ? 'won' : 'open', amount: 100,
    nextActionAt: opts.won ? null : new Date(Date.now() + 86_400_000), nextActionType: opts.won ? null : 'call',
  }).returning();
  return row!.id;
}

const leadRow = async (id: string) => (await db().select().from(lead).where(and(eq(lead.workspaceId, workspaceId), eq(lead.id, id))))[0]!;
const contactRow = async (id: string) => (await db().select().from(contact).where(and(eq(contact.workspaceId, workspaceId), eq(contact.id, id))))[0]!;
const count = async (q: Promise<{ n: number }[]>) => (await q)[0]!.n;
const auditCount = () => count(db().select({ n: sql<number>`count(*)::int` }).from(auditEvent).where(eq(auditEvent.workspaceId, workspaceId)));
const salesOf = (contactId: string) => count(db().select({ n: sql<number>`count(*)::int` }).from(sale).where(eq(sale.contactId, contactId)));

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId } = await setupWorkspace(t));
  const rows = await db().select().from(stage).where(eq(stage.workspaceId, workspaceId)).orderBy(stage.position);
  const pick = (i: number) => ({ id: rows[i]!.id, pipelineId: rows[i]!.pipelineId, probability: rows[i]!.probability });
  stages = { cold: pick(0), won: pick(3) };
  const [tm] = await db().insert(team).values({ workspaceId, name: 'Sur' }).returning();
  pedro = await addUser('Pedro Ruiz', 'pedro@garcia.es', 'manager');
  await db().update(team).set({ managerId: pedro.id }).where(eq(team.id, tm!.id));
  luis = await addUser('Luis Pérez', 'luis@garcia.es', 'sales', tm!.id);
  marta = await addUser('Marta Gil', 'marta@garcia.es', 'sales');
  chair = await addProduct(workspaceId, 'Silla nórdica', 45.5);
  table = await addProduct(workspaceId, 'Mesa de roble', 320);
  const other = await createWorkspace(t.deps.database, {
    workspaceName: 'Otra tienda', currency: 'EUR', timeZone: 'Europe/Madrid', locale: 'es', defaultCountry: 'ES',
    admin: { name: 'Otro', email: 'otro@otra.es', passwordHash: await hashPassword(PASSWORD) },
  }, { onlyIfFirst: false });
  foreignProduct = await addProduct(other.workspace.id, 'Producto ajeno', 10);
});
afterAll(async () => { await t.close(); });

describe('recording a sale', () => {
  it('prices lines exactly to the cent and returns them with the sale', async () => {
    const contactId = await addContact('Ana');
    const r = await luis.c.post('/api/v1/sales', {
      contactId, lines: [{ description: 'Cojín', quantity: 3, unitPrice: 19.99 }, { description: 'Portes', quantity: 1, unitPrice: 0.1 }, { description: 'Caja', quantity: 1, unitPrice: 0.2 }],
    });
    expect(r.status).toBe(201);
    expect(r.body.total).toBe(60.27);
    expect(r.body.lines.map((l: { position: number; lineTotal: number }) => [l.position, l.lineTotal])).toEqual([[1, 59.97], [2, 0.1], [3, 0.2]]);
    expect(r.body).toMatchObject({ ownerId: luis.id, currency: 'EUR', contactId, version: 1 });
    expect(Math.abs(new Date(r.body.soldAt).getTime() - Date.now())).toBeLessThan(60_000);
    const got = await luis.c.get(`/api/v1/sales/${r.body.id}`);
    expect(got.body.total).toBe(60.27);
    expect(got.body.lines).toHaveLength(3);
    expect(got.body.lines[0]).toMatchObject({ description: 'Cojín', quantity: 3, unitPrice: 19.99, lineTotal: 59.97 });
  });

  it('takes the product\'s unit price and name unless the line gives its own', async () => {
    const r = await luis.c.post('/api/v1/sales', {
      contactId: await addContact('Berta'), currency: 'USD',
      lines: [{ productId: chair, quantity: 2 }, { productId: table, quantity: 1, unitPrice: 299.99, description: 'Mesa (exposición)' }],
    });
    expect(r.status).toBe(201);
    expect(r.body.lines).toEqual([
      expect.objectContaining({ productId: chair, description: 'Silla nórdica', unitPrice: 45.5, lineTotal: 91 }),
      expect.objectContaining({ productId: table, description: 'Mesa (exposición)', unitPrice: 299.99, lineTotal: 299.99 }),
    ]);
    expect(r.body.total).toBe(390.99);
    expect(r.body.currency).toBe('USD');
  });

  it('refuses a product of another workspace, naming the line', async () => {
    const contactId = await addContact('Carla');
    const r = await luis.c.post('/api/v1/sales', { contactId, lines: [{ productId: chair, quantity: 1 }, { productId: foreignProduct, quantity: 1 }] });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'lines.1.productId', code: 'not_found' })]);
    expect(await salesOf(contactId)).toBe(0);
  });

  it('names a contact, company or owner this workspace does not have', async () => {
    const ghost = '00000000-0000-4000-8000-000000000000';
    const r = await pedro.c.post('/api/v1/sales', { contactId: ghost, companyId: ghost, ownerId: ghost, lines: [{ productId: chair, quantity: 1 }] });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { field: string; code: string }) => `${e.field}/${e.code}`)).toEqual(['contactId/not_found', 'companyId/not_found', 'ownerId/not_found']);
  });

  it('names each bad line: no price, no quantity, more decimals than cents, no lines at all', async () => {
    const contactId = await addContact('Dora');
    const r = await luis.c.post('/api/v1/sales', { contactId, lines: [{ description: 'Sin precio', quantity: 1 }, { description: 'Cero', quantity: 0, unitPrice: 5 }] });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { field: string; code: string }) => `${e.field}/${e.code}`)).toEqual(['lines.0.unitPrice/required']);
    const zero = await luis.c.post('/api/v1/sales', { contactId, lines: [{ description: 'Cero', quantity: 0, unitPrice: 5 }] });
    expect(zero.body.errors.map((e: { field: string; code: string }) => `${e.field}/${e.code}`)).toEqual(['lines.0.quantity/too_small']);
    const cents = await luis.c.post('/api/v1/sales', { contactId, lines: [{ description: 'x', quantity: 1, unitPrice: 19.999 }] });
    expect(cents.status).toBe(422);
    expect(cents.body.errors[0].field).toBe('lines.0.unitPrice');
    const none = await luis.c.post('/api/v1/sales', { contactId, lines: [] });
    expect(none.body.errors[0]).toMatchObject({ field: 'lines', code: 'required' });
    const nobody = await luis.c.post('/api/v1/sales', { lines: [{ description: 'x', quantity: 1, unitPrice: 1 }] });
    expect(nobody.body.errors[0]).toMatchObject({ field: 'contactId', code: 'required' });
    expect(await salesOf(contactId)).toBe(0);
  });

  it('makes the contact a client', async () => {
    const contactId = await addContact('Elena');
    expect((await contactRow(contactId)).lifecycle).toBe('prospect');
    await luis.c.post('/api/v1/sales', { contactId, lines: [{ productId: chair, quantity: 1 }] });
    const c = await contactRow(contactId);
    expect(c.lifecycle).toBe('client');
    expect(c.version).toBe(2);
  });

  it('moves the open lead it closes to won, with the sale total as its amount, and takes its contact', async () => {
    const contactId = await addContact('Fina');
    const leadId = await addLead({ title: 'Salón Fina', ownerId: luis.id, contactId });
    const r = await luis.c.post('/api/v1/sales', { leadId, lines: [{ productId: table, quantity: 2 }, { productId: chair, quantity: 4 }] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ leadId, contactId, total: 822 });
    const l = await leadRow(leadId);
    expect(l).toMatchObject({ status: 'won', stageId: stages.won.id, amount: 822, probability: 100, nextActionAt: null });
    expect(l.closedAt).not.toBeNull();
    const history = await db().select().from(leadStageHistory).where(eq(leadStageHistory.leadId, leadId));
    expect(history.map((h) => [h.fromStageId, h.toStageId])).toEqual([[stages.cold.id, stages.won.id]]);
    expect((await contactRow(contactId)).lifecycle).toBe('client');
  });

  it('closes a lead created through the leads API, as that API then shows it', async () => {
    const contactId = await addContact('Noelia');
    const created = await luis.c.post('/api/v1/leads', { title: 'Recibidor Noelia', contactId });
    expect(created.status).toBe(201);
    const r = await luis.c.post('/api/v1/sales', { leadId: created.body.id, lines: [{ productId: chair, quantity: 3 }] });
    expect(r.status).toBe(201);
    const got = await luis.c.get(`/api/v1/leads/${created.body.id}`);
    expect(got.body).toMatchObject({ status: 'won', stageId: stages.won.id, amount: 136.5 });
  });

  it('leaves a lead that is already closed as it is', async () => {
    const contactId = await addContact('Gloria');
    const leadId = await addLead({ title: 'Ya ganada', ownerId: luis.id, contactId, won: true });
    const before = await leadRow(leadId);
    const r = await luis.c.post('/api/v1/sales', { leadId, lines: [{ productId: chair, quantity: 1 }] });
    expect(r.status).toBe(201);
    const after = await leadRow(leadId);
    expect(after.version).toBe(before.version);
    expect(after.amount).toBe(100);
  });

  it('refuses a sale on a lead the seller cannot see, and recording a sale for someone else', async () => {
    const contactId = await addContact('Helena');
    const leadId = await addLead({ title: 'De Luis', ownerId: luis.id, contactId });
    expect((await marta.c.post('/api/v1/sales', { leadId, lines: [{ productId: chair, quantity: 1 }] })).status).toBe(403);
    expect((await marta.c.post('/api/v1/sales', { contactId, ownerId: luis.id, lines: [{ productId: chair, quantity: 1 }] })).status).toBe(403);
    const byManager = await pedro.c.post('/api/v1/sales', { contactId, ownerId: luis.id, lines: [{ productId: chair, quantity: 1 }] });
    expect(byManager.status).toBe(201);
    expect(byManager.body.ownerId).toBe(luis.id);
    expect((await leadRow(leadId)).status).toBe('open');
  });
});

describe('the sales contract', () => {
  it('is documented in the OpenAPI document, lines included, unknown fields refused', async () => {
    const doc = (await new Client(t).get('/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/sales', '/sales/{id}']));
    expect(doc.components.schemas.SaleInput.required).toEqual(['lines']);
    expect(doc.components.schemas.SaleLineInput.required).toEqual(['quantity']);
    const r = await luis.c.post('/api/v1/sales', { contactId: await addContact('Olivia'), discount: 10, lines: [{ productId: chair, quantity: 1 }] });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'discount', code: 'unknown_field' });
  });
});

describe('a sale is all or nothing', () => {
  it('writes nothing when one line is bad: no sale, no lead move, no lifecycle change, no audit', async () => {
    const contactId = await addContact('Irene');
    const leadId = await addLead({ title: 'Cocina Irene', ownerId: luis.id, contactId });
    const audits = await auditCount();
    const lead0 = await leadRow(leadId);
    const r = await luis.c.post('/api/v1/sales', { leadId, lines: [{ productId: chair, quantity: 1 }, { productId: foreignProduct, quantity: 1 }] });
    expect(r.status).toBe(422);
    expect(await salesOf(contactId)).toBe(0);
    expect(await leadRow(leadId)).toEqual(lead0);
    expect((await contactRow(contactId)).lifecycle).toBe('prospect');
    expect(await auditCount()).toBe(audits);
  });

  it('rolls back the sale, its lines and the client status when closing the lead fails after they were written', async () => {
    // A pipeline without a won stage cannot be made through the API; built here to make the last step fail.
    const [pl] = await db().insert(pipeline).values({ workspaceId, name: 'Roto' }).returning();
    const [st] = await db().insert(stage).values({ workspaceId, pipelineId: pl!.id, name: 'Abierta', position: 1, kind: 'open', probability: 10 }).returning();
    const contactId = await addContact('Julia');
    const leadId = await addLead({ title: 'Sin etapa ganada', ownerId: luis.id, contactId, pipelineId: pl!.id, stageId: st!.id });
    const lines = await count(db().select({ n: sql<number>`count(*)::int` }).from(saleLine).where(eq(saleLine.workspaceId, workspaceId)));
    const audits = await auditCount();
    const r = await luis.c.post('/api/v1/sales', { leadId, lines: [{ productId: chair, quantity: 1 }] });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'leadId', code: 'no_won_stage' });
    expect(await salesOf(contactId)).toBe(0);
    expect(await count(db().select({ n: sql<number>`count(*)::int` }).from(saleLine).where(eq(saleLine.workspaceId, workspaceId)))).toBe(lines);
    expect((await contactRow(contactId)).lifecycle).toBe('prospect');
    expect(await auditCount()).toBe(audits);
  });
});

describe('editing and deleting a sale', () => {
  it('replaces the lines and recomputes the total, with optimistic locking', async () => {
    const created = await luis.c.post('/api/v1/sales', { contactId: await addContact('Karen'), lines: [{ productId: chair, quantity: 1 }] });
    const id = created.body.id;
    const r = await luis.c.patch(`/api/v1/sales/${id}`, { lines: [{ productId: table, quantity: 1 }, { description: 'Montaje', quantity: 2, unitPrice: 12.5 }], notes: 'Cambio', version: 1 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ total: 345, version: 2, notes: 'Cambio' });
    expect(r.body.lines.map((l: { description: string; lineTotal: number }) => [l.description, l.lineTotal])).toEqual([['Mesa de roble', 320], ['Montaje', 25]]);
    expect(r.headers.get('etag')).toBe('"2"');
    const stale = await luis.c.patch(`/api/v1/sales/${id}`, { lines: [{ productId: chair, quantity: 9 }] }, { 'if-match': '"1"' });
    expect(stale.status).toBe(409);
    expect(stale.body.current.total).toBe(345);
    expect((await luis.c.get(`/api/v1/sales/${id}`)).body.lines).toHaveLength(2);
    const trail = await db().select().from(auditEvent).where(and(eq(auditEvent.entityId, id), eq(auditEvent.action, 'lines'))).orderBy(auditEvent.id);
    expect(trail).toHaveLength(2);
    const [was, now] = (trail[1]!.changes as { lines: [{ description: string }[], { description: string; lineTotal: number }[]] }).lines;
    expect(was.map((l) => l.description)).toEqual(['Silla nórdica']);
    expect(now.map((l) => [l.description, l.lineTotal])).toEqual([['Mesa de roble', 320], ['Montaje', 25]]);
  });

  it('keeps the old lines when the new ones are bad, and lets no other seller edit', async () => {
    const created = await luis.c.post('/api/v1/sales', { contactId: await addContact('Mónica'), lines: [{ productId: chair, quantity: 2 }] });
    const id = created.body.id;
    const bad = await luis.c.patch(`/api/v1/sales/${id}`, { lines: [{ productId: table, quantity: 1 }, { productId: foreignProduct, quantity: 1 }] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'lines.1.productId', code: 'not_found' });
    const kept = await luis.c.get(`/api/v1/sales/${id}`);
    expect(kept.body).toMatchObject({ total: 91, version: 1 });
    expect(kept.body.lines.map((l: { productId: string }) => l.productId)).toEqual([chair]);
    expect((await marta.c.patch(`/api/v1/sales/${id}`, { notes: 'Mía' })).status).toBe(403);
  });

  it('lets only a manager or an admin delete a sale, and deletes its lines', async () => {
    const created = await luis.c.post('/api/v1/sales', { contactId: await addContact('Lola'), lines: [{ productId: chair, quantity: 1 }] });
    const id = created.body.id;
    expect((await luis.c.del(`/api/v1/sales/${id}`)).status).toBe(403);
    expect((await pedro.c.del(`/api/v1/sales/${id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/sales/${id}`)).status).toBe(404);
    expect(await db().select().from(saleLine).where(eq(saleLine.saleId, id))).toEqual([]);
  });
});

describe('listing sales', () => {
  let contactId: string;
  const ids: Record<string, string> = {};
  const names = (r: { body: { data: { id: string }[] } }) => r.body.data.map((s) => Object.entries(ids).find(([, v]) => v === s.id)?.[0] ?? '?');

  beforeAll(async () => {
    contactId = await addContact('Marisa');
    const record = async (name: string, c: Client, body: Record<string, unknown>) => {
      const r = await c.post('/api/v1/sales', { contactId, ...body });
      if (r.status !== 201) throw new Error(`${name}: ${r.status} ${JSON.stringify(r.body)}`);
      ids[name] = r.body.id;
    };
    await record('oldChairs', luis.c, { soldAt: '2026-01-10T10:00:00Z', lines: [{ productId: chair, quantity: 2 }] });
    await record('table', luis.c, { soldAt: '2026-03-05T10:00:00Z', lines: [{ productId: table, quantity: 1 }] });
    await record('cushions', luis.c, { soldAt: '2026-06-20T10:00:00Z', lines: [{ description: 'Cojines', quantity: 4, unitPrice: 9.95 }] });
    await record('martas', marta.c, { soldAt: '2026-05-01T10:00:00Z', lines: [{ productId: chair, quantity: 1 }] });
  });

  it('lists the seller\'s own sales, most recent first, with their lines', async () => {
    const r = await luis.c.get(`/api/v1/sales?contactId=${contactId}`);
    expect(r.status).toBe(200);
    expect(names(r)).toEqual(['cushions', 'table', 'oldChairs']);
    expect(r.body.data[0].lines).toEqual([expect.objectContaining({ description: 'Cojines', lineTotal: 39.8 })]);
    expect(names(await marta.c.get(`/api/v1/sales?contactId=${contactId}`))).toEqual(['martas']);
  });

  it('shows the team\'s sales to its manager and all of them to an admin', async () => {
    expect(names(await pedro.c.get(`/api/v1/sales?contactId=${contactId}`))).toEqual(['cushions', 'table', 'oldChairs']);
    expect(names(await admin.get(`/api/v1/sales?contactId=${contactId}`))).toEqual(['cushions', 'martas', 'table', 'oldChairs']);
    expect((await marta.c.get(`/api/v1/sales/${ids['table']}`)).status).toBe(403);
    expect((await pedro.c.get(`/api/v1/sales/${ids['table']}`)).status).toBe(200);
  });

  it('filters by product, total range and sale date, and sorts by total', async () => {
    const base = `/api/v1/sales?contactId=${contactId}`;
    expect(names(await admin.get(`${base}&productId=${chair}`))).toEqual(['martas', 'oldChairs']);
    expect(names(await admin.get(`${base}&totalMin=45.5&totalMax=91`))).toEqual(['martas', 'oldChairs']);
    expect(names(await admin.get(`${base}&soldFrom=2026-03-01&soldTo=2026-06-01`))).toEqual(['martas', 'table']);
    expect(names(await admin.get(`${base}&sort=total`))).toEqual(['cushions', 'martas', 'oldChairs', 'table']);
    expect(names(await admin.get(`${base}&sort=-total`))).toEqual(['table', 'oldChairs', 'martas', 'cushions']);
  });

  it('pages by total with a cursor without losing or repeating sales', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: string }[]; nextCursor: string | null } } = await admin.get(`/api/v1/sales?contactId=${contactId}&sort=total&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...names(page));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['cushions', 'martas', 'oldChairs', 'table']);
  });

  it('names a bad filter or sort', async () => {
    expect((await admin.get('/api/v1/sales?totalMin=mucho')).body.errors[0]).toMatchObject({ field: 'totalMin', code: 'invalid_number' });
    expect((await admin.get('/api/v1/sales?sort=name')).body.errors[0]).toMatchObject({ field: 'sort', code: 'invalid_choice' });
    expect((await admin.get('/api/v1/sales?colour=red')).status).toBe(422);
  });
});
