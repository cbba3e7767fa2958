import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { hashPassword } from '../src/auth/password.js';
import { createWorkspace } from '../src/db/queries/workspaces.js';
import { lead, product, source, stage } from '../src/db/schema.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';

/**
 * Two workspaces on one database: whatever a user of one does, the other's rows are never read,
 * listed, changed or referenced. An id from the other workspace behaves exactly like an id that
 * does not exist: 404 on the path, 422 naming the field in a body.
 */
let t: TestApp;
let ana: Client; // admin of workspace 1
let bea: Client; // admin of workspace 2
let ws1: string;
let ws2: string;
let anaId: string;
let beaId: string;
const one: Record<string, string> = {};
const two: Record<string, string> = {};

const db = () => t.deps.database.db;
const ids = (r: { body: { data: { id: string }[] } }) => r.body.data.map((x) => x.id);

async function firstStage(workspaceId: string, kind: 'open' | 'won' | 'lost' = 'open') {
  return (await db().select().from(stage).where(and(eq(stage.workspaceId, workspaceId), eq(stage.kind, kind))).orderBy(stage.position))[0]!.id;
}

beforeAll(async () => {
  t = await testApp();
  ({ admin: ana, workspaceId: ws1, adminId: anaId } = await setupWorkspace(t));
  const second = await createWorkspace(t.deps.database, {
    workspaceName: 'Ferretería Gómez', currency: 'MXN', timeZone: 'America/Mexico_City', locale: 'es', defaultCountry: 'MX',
    admin: { name: 'Bea Gómez', email: 'bea@gomez.mx', passwordHash: await hashPassword(PASSWORD) },
  }, { onlyIfFirst: false });
  ws2 = second.workspace.id;
  beaId = second.admin.id;
  bea = new Client(t);
  await bea.login('bea@gomez.mx', PASSWORD);

  for (const [who, bag] of [[ana, one], [bea, two]] as const) {
    bag['company'] = (await who.post('/api/v1/companies', { name: 'García Hermanos' })).body.id;
    bag['contact'] = (await who.post('/api/v1/contacts', { firstName: 'Carmen', lastName: 'García', companyId: bag['company'] })).body.id;
    const r = await who.post('/api/v1/leads', { title: 'Pedido García', contactId: bag['contact'], companyId: bag['company'] });
    if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    bag['lead'] = r.body.id;
  }
  one['stage'] = await firstStage(ws1, 'won');
  two['stage'] = await firstStage(ws2, 'won');
  two['source'] = (await db().select().from(source).where(eq(source.workspaceId, ws2)))[0]!.id;
  two['product'] = (await db().insert(product).values({ workspaceId: ws2, name: 'Taladro' }).returning())[0]!.id;
});
afterAll(async () => { await t.close(); });

describe('reading across workspaces', () => {
  it('never lists the other workspace\'s contacts, companies or leads, even by search', async () => {
    for (const [path, key] of [['contacts', 'contact'], ['companies', 'company'], ['leads', 'lead']] as const) {
      const mine = ids(await ana.get(`/api/v1/${path}?limit=500&includeCancelled=true`));
      expect(mine).toContain(one[key]);
      expect(mine).not.toContain(two[key]);
      expect(ids(await ana.get(`/api/v1/${path}?q=garcia`))).toEqual([one[key]]);
    }
    expect(ids(await ana.get('/api/v1/leads?q=garcia'))).toEqual([one['lead']]);
    expect(ids(await bea.get('/api/v1/contacts?q=carmen'))).toEqual([two['contact']]);
  });

  it('answers 404, with no data, to a read of the other workspace\'s record', async () => {
    for (const [path, id] of [['contacts', two['contact']], ['companies', two['company']], ['leads', two['lead']]] as const) {
      const r = await ana.get(`/api/v1/${path}/${id}`);
      expect(r.status).toBe(404);
      expect(JSON.stringify(r.body)).not.toContain('García');
    }
  });

  it('does not filter into the other workspace by its ids', async () => {
    expect(ids(await ana.get(`/api/v1/leads?contactId=${two['contact']}`))).toEqual([]);
    expect(ids(await ana.get(`/api/v1/contacts?companyId=${two['company']}`))).toEqual([]);
  });

  it('shows a Today with nothing of the other workspace, and 404 for its users', async () => {
    const r = await ana.get('/api/v1/today');
    expect(r.status).toBe(200);
    expect(itemsOf(r.body).every((id) => !Object.values(two).includes(id))).toBe(true);
    expect((await ana.get(`/api/v1/today?userId=${beaId}`)).status).toBe(404);
  });
});

const itemsOf = (today: Record<string, { items?: { id: string }[] }>) =>
  Object.values(today).flatMap((s) => (s && typeof s === 'object' && 'items' in s ? (s.items ?? []).map((x) => x.id) : []));

describe('writing across workspaces', () => {
  it('answers 404 to changing the other workspace\'s records, and leaves them untouched', async () => {
    const attempts = [
      ana.patch(`/api/v1/contacts/${two['contact']}`, { firstName: 'Hackeado' }),
      ana.patch(`/api/v1/companies/${two['company']}`, { name: 'Hackeado' }),
      ana.patch(`/api/v1/leads/${two['lead']}`, { title: 'Hackeado' }),
      ana.post(`/api/v1/leads/${two['lead']}/move`, { stageId: two['stage'] }),
      ana.post(`/api/v1/leads/${two['lead']}/next-action`, { at: new Date(Date.now() + 86_400_000).toISOString(), type: 'call' }),
      ana.post(`/api/v1/leads/${two['lead']}/cancel`, { reason: 'x' }),
      ana.post(`/api/v1/contacts/${two['contact']}/cancel`, { reason: 'x' }),
      ana.post(`/api/v1/companies/${two['company']}/cancel`, { reason: 'x' }),
      ana.post(`/api/v1/leads/${two['lead']}/restore`),
      ana.del(`/api/v1/leads/${two['lead']}`),
      ana.del(`/api/v1/contacts/${two['contact']}`),
    ];
    for (const r of await Promise.all(attempts)) expect(r.status).toBe(404);
    const l = await bea.get(`/api/v1/leads/${two['lead']}`);
    expect(l.body).toMatchObject({ title: 'Pedido García', status: 'open', version: 1 });
    expect((await bea.get(`/api/v1/contacts/${two['contact']}`)).body).toMatchObject({ firstName: 'Carmen', status: 'active', version: 1 });
  });

  it('refuses with 422, naming the field, every reference to the other workspace\'s rows', async () => {
    const r = await ana.post('/api/v1/leads', {
      title: 'Referencias ajenas', contactId: two['contact'], companyId: two['company'], sourceId: two['source'],
      productIds: [two['product']], ownerId: beaId, sharedWith: [beaId],
    });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['companyId', 'contactId', 'ownerId', 'productIds.0', 'sharedWith.0', 'sourceId']);
    const st = await ana.post('/api/v1/leads', { title: 'Etapa ajena', stageId: two['stage'] });
    expect(st.status).toBe(422);
    expect(st.body.errors[0]).toMatchObject({ field: 'stageId', code: 'not_found' });
    const move = await ana.post(`/api/v1/leads/${one['lead']}/move`, { stageId: two['stage'] });
    expect(move.status).toBe(422);
    expect(move.body.errors[0].field).toBe('stageId');
    const patch = await ana.patch(`/api/v1/leads/${one['lead']}`, { contactId: two['contact'] });
    expect(patch.status).toBe(422);
    expect(patch.body.errors[0].field).toBe('contactId');
    const c = await ana.post('/api/v1/contacts', { firstName: 'Ajena', companyId: two['company'] });
    expect(c.status).toBe(422);
    expect(c.body.errors[0].field).toBe('companyId');
    const owner = await ana.patch(`/api/v1/contacts/${one['contact']}`, { ownerId: beaId });
    expect(owner.status).toBe(422);
    expect(owner.body.errors[0].field).toBe('ownerId');
    const stored = (await db().select().from(lead).where(and(eq(lead.workspaceId, ws1), eq(lead.id, one['lead']!))))[0]!;
    expect(stored.contactId).toBe(one['contact']);
  });

  it('creates leads in the workspace\'s own currency and default pipeline', async () => {
    const r = await bea.post('/api/v1/leads', { title: 'Moneda' });
    expect(r.body.currency).toBe('MXN');
    expect(r.body.stageId).toBe(await firstStage(ws2));
    expect(anaId).not.toBe(beaId);
  });
});
