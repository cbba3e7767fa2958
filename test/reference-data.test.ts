import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';
import { createWorkspace } from '../src/db/queries/workspaces.js';
import { hashPassword } from '../src/auth/password.js';

let t: TestApp;
let admin: Client;
let manager: Client;
let sales: Client;
let other: Client;
let workspaceId: string;
let otherProductId: string;
let otherSourceId: string;

async function addUser(role: 'admin' | 'manager' | 'sales', email: string): Promise<Client> {
  const r = await admin.post('/api/v1/users', { email, name: email.split('@')[0], role, password: PASSWORD });
  if (r.status !== 201) throw new Error(`user: ${r.status} ${JSON.stringify(r.body)}`);
  const c = new Client(t);
  await c.login(email, PASSWORD);
  return c;
}

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId } = await setupWorkspace(t));
  manager = await addUser('manager', 'marta@garcia.es');
  sales = await addUser('sales', 'sergio@garcia.es');
  await createWorkspace(t.deps.database, {
    workspaceName: 'Otra Empresa', currency: 'EUR', timeZone: 'Europe/Madrid', locale: 'es', defaultCountry: 'ES',
    admin: { name: 'Olga', email: 'olga@otra.es', passwordHash: await hashPassword(PASSWORD) },
  }, { onlyIfFirst: false });
  other = new Client(t);
  await other.login('olga@otra.es', PASSWORD);
  otherProductId = (await other.post('/api/v1/products', { name: 'Ajeno' })).body.id;
  otherSourceId = (await other.get('/api/v1/sources')).body.data[0].id;
});
afterAll(async () => { await t.close(); });

/** A lead stored directly, as the leads API would, pointing at the given source, campaign and products. */
async function insertLead(refs: { sourceId?: string; campaignId?: string; productIds?: string[] }) {
  const [s] = await t.deps.database.query<{ id: string; pipelineId: string }>(
    `SELECT id, pipeline_id AS "pipelineId" FROM stage WHERE workspace_id = $1 AND kind = 'open' ORDER BY position LIMIT 1`, [workspaceId]);
  await t.deps.database.query(
    `INSERT INTO lead (workspace_id, title, pipeline_id, stage_id, probability, currency, source_id, campaign_id, product_ids)
     VALUES ($1, 'Sofá', $2, $3, 10, 'EUR', $4, $5, $6::uuid[])`,
    [workspaceId, s!.pipelineId, s!.id, refs.sourceId ?? null, refs.campaignId ?? null, refs.productIds ?? []]);
}

describe('products', () => {
  let productId: string;

  it('lets a manager create a product and everyone read it', async () => {
    const r = await manager.post('/api/v1/products', { name: 'Sofá Chester', sku: 'SOF-01', category: 'Sofás', unitPrice: 1299.9 });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'Sofá Chester', sku: 'SOF-01', unitPrice: 1299.9, isActive: true, version: 1 });
    productId = r.body.id;
    const list = await sales.get('/api/v1/products');
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([productId]);
  });

  it('refuses writes by a sales rep with 403', async () => {
    expect((await sales.post('/api/v1/products', { name: 'Mesa' })).status).toBe(403);
    expect((await sales.patch(`/api/v1/products/${productId}`, { unitPrice: 1 })).status).toBe(403);
    expect((await sales.del(`/api/v1/products/${productId}`)).status).toBe(403);
  });

  it('names the field of a negative price and of an unknown field', async () => {
    const r = await manager.post('/api/v1/products', { name: 'Mesa', unitPrice: -5 });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(['unitPrice']);
    const u = await manager.post('/api/v1/products', { name: 'Mesa', colour: 'red' });
    expect(u.status).toBe(422);
    expect(u.body.errors[0]).toMatchObject({ field: 'colour', code: 'unknown_field' });
  });

  it('deactivates a product and filters the catalogue by isActive', async () => {
    const r = await admin.patch(`/api/v1/products/${productId}`, { isActive: false, version: 1 });
    expect(r.status).toBe(200);
    expect(r.body.isActive).toBe(false);
    expect((await admin.get('/api/v1/products?isActive=true')).body.data).toHaveLength(0);
    expect((await admin.get('/api/v1/products?isActive=false')).body.data).toHaveLength(1);
  });

  it('refuses to delete a product that a lead or a sale line uses, and deletes an unused one', async () => {
    await insertLead({ productIds: [productId] });
    const r = await admin.del(`/api/v1/products/${productId}`);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ reason: 'in_use', usage: { leads: 1, saleLines: 0 } });
    expect(r.body.detail).toMatch(/deactivate/);
    expect((await admin.get(`/api/v1/products/${productId}`)).status).toBe(200);

    const sold = (await manager.post('/api/v1/products', { name: 'Cojín' })).body.id as string;
    const [c] = await t.deps.database.query<{ id: string }>(`INSERT INTO company (workspace_id, name) VALUES ($1, 'Cliente') RETURNING id`, [workspaceId]);
    const [sale] = await t.deps.database.query<{ id: string }>(
      `INSERT INTO sale (workspace_id, company_id, sold_at, total, currency) VALUES ($1, $2, now(), 20, 'EUR') RETURNING id`, [workspaceId, c!.id]);
    await t.deps.database.query(
      `INSERT INTO sale_line (workspace_id, sale_id, position, product_id, quantity, unit_price, line_total) VALUES ($1, $2, 1, $3, 1, 20, 20)`,
      [workspaceId, sale!.id, sold]);
    const s = await manager.del(`/api/v1/products/${sold}`);
    expect(s.status).toBe(409);
    expect(s.body.usage).toEqual({ leads: 0, saleLines: 1 });

    const unused = (await manager.post('/api/v1/products', { name: 'Lámpara' })).body.id as string;
    expect((await manager.del(`/api/v1/products/${unused}`)).status).toBe(204);
    expect((await manager.get(`/api/v1/products/${unused}`)).status).toBe(404);
  });

  it('answers 404 for a product of another workspace', async () => {
    expect((await admin.get(`/api/v1/products/${otherProductId}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/products/${otherProductId}`, { name: 'Mío' })).status).toBe(404);
    expect((await admin.del(`/api/v1/products/${otherProductId}`)).status).toBe(404);
    expect((await other.get(`/api/v1/products/${otherProductId}`)).body.name).toBe('Ajeno');
  });
});

describe('sources', () => {
  it('starts with the usual sources of the workspace, readable by a sales rep', async () => {
    const r = await sales.get('/api/v1/sources');
    expect(r.status).toBe(200);
    expect(r.body.data.map((s: { kind: string }) => s.kind).sort()).toEqual(
      ['campaign', 'emailing', 'fair', 'phone', 'referral', 'social', 'walk_in', 'website']);
  });

  it('validates the kind and refuses a duplicate name ignoring case', async () => {
    const bad = await manager.post('/api/v1/sources', { name: 'Radio', kind: 'radio' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('kind');
    expect((await manager.post('/api/v1/sources', { name: 'Radio', kind: 'other' })).status).toBe(201);
    const dup = await manager.post('/api/v1/sources', { name: 'RADIO', kind: 'other' });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0]).toMatchObject({ field: 'name', code: 'taken' });
    expect((await sales.post('/api/v1/sources', { name: 'Tele', kind: 'other' })).status).toBe(403);
  });

  it('refuses to delete a source used by leads or campaigns, and deletes an unused one', async () => {
    const used = (await manager.post('/api/v1/sources', { name: 'Buzoneo', kind: 'other' })).body.id as string;
    await insertLead({ sourceId: used });
    const r = await manager.del(`/api/v1/sources/${used}`);
    expect(r.status).toBe(409);
    expect(r.body.usage).toEqual({ leads: 1, campaigns: 0 });
    const [still] = await t.deps.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM lead WHERE source_id = $1`, [used]);
    expect(still!.n).toBe(1);

    const viaCampaign = (await manager.post('/api/v1/sources', { name: 'Vallas', kind: 'other' })).body.id as string;
    await manager.post('/api/v1/campaigns', { name: 'Vallas verano', sourceId: viaCampaign });
    expect((await manager.del(`/api/v1/sources/${viaCampaign}`)).body.usage).toEqual({ leads: 0, campaigns: 1 });

    const unused = (await manager.post('/api/v1/sources', { name: 'Prensa', kind: 'other' })).body.id as string;
    expect((await manager.del(`/api/v1/sources/${unused}`)).status).toBe(204);
  });
});

describe('campaigns', () => {
  let sourceId: string;
  beforeAll(async () => {
    sourceId = (await admin.get('/api/v1/sources?kind=campaign')).body.data[0].id;
  });

  it('creates a campaign with its period and cost', async () => {
    const r = await manager.post('/api/v1/campaigns', { name: 'Rebajas enero', sourceId, startsOn: '2027-01-07', endsOn: '2027-01-31', cost: 1500 });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ sourceId, startsOn: '2027-01-07', endsOn: '2027-01-31', cost: 1500 });
  });

  it('refuses an end before the start on create and on a patch of one end', async () => {
    const r = await manager.post('/api/v1/campaigns', { name: 'Al revés', startsOn: '2027-02-10', endsOn: '2027-02-01' });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'endsOn', code: 'before_start' });
    const c = (await manager.post('/api/v1/campaigns', { name: 'Primavera', startsOn: '2027-03-01' })).body;
    const p = await manager.patch(`/api/v1/campaigns/${c.id}`, { endsOn: '2027-02-28' });
    expect(p.status).toBe(422);
    expect(p.body.errors[0].field).toBe('endsOn');
    expect((await manager.patch(`/api/v1/campaigns/${c.id}`, { endsOn: '2027-03-01' })).status).toBe(200);
  });

  it('refuses a negative cost and a source of another workspace, naming the field', async () => {
    const cost = await manager.post('/api/v1/campaigns', { name: 'Gratis', cost: -1 });
    expect(cost.status).toBe(422);
    expect(cost.body.errors[0].field).toBe('cost');
    const foreign = await manager.post('/api/v1/campaigns', { name: 'Ajena', sourceId: otherSourceId });
    expect(foreign.status).toBe(422);
    expect(foreign.body.errors[0].field).toBe('sourceId');
  });

  it('lets sales read campaigns but not create them, and keeps a campaign that leads came from', async () => {
    expect((await sales.get('/api/v1/campaigns')).status).toBe(200);
    expect((await sales.post('/api/v1/campaigns', { name: 'Mía' })).status).toBe(403);
    const c = (await manager.post('/api/v1/campaigns', { name: 'Feria mueble' })).body.id as string;
    await insertLead({ campaignId: c });
    const r = await admin.del(`/api/v1/campaigns/${c}`);
    expect(r.status).toBe(409);
    expect(r.body.usage).toEqual({ leads: 1 });
  });
});
