import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvent, contact, sale, team, workspace } from '../src/db/schema.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp, addLoggedInUser } from './harness.js';

let t: TestApp;
let admin: Client;
let adminId: string;
let workspaceId: string;
let luis: { id: string; c: Client };
let marta: { id: string; c: Client };
let pedro: { id: string; c: Client };
let rosa: string;
let jaime: string;
let rosaSale: string;
let foreignSale: string;

const T0 = new Date('2026-11-23T09:00:00Z');
const db = () => t.deps.database.db;
const minutesAfter = (m: number) => new Date(T0.getTime() + m * 60_000);

const addUser = (name: string, email: string, role: 'manager' | 'sales', teamId: string | null = null) =>
  addLoggedInUser(t, workspaceId, { name, email, role, teamId });

async function addContact(wsId: string, firstName: string, lastName: string) {
  const [row] = await db().insert(contact).values({ workspaceId: wsId, firstName, lastName }).returning();
  return row!.id;
}

async function addSale(wsId: string, contactId: string) {
  const [row] = await db().insert(sale).values({ workspaceId: wsId, contactId, soldAt: new Date('2026-11-10T10:00:00Z'), total: 900, currency: 'EUR' }).returning();
  return row!.id;
}

beforeAll(async () => {
  t = await testApp();
  t.setNow(T0);
  ({ admin, workspaceId, adminId } = await setupWorkspace(t));
  const [tm] = await db().insert(team).values({ workspaceId, name: 'Norte' }).returning();
  pedro = await addUser('Pedro Ruiz', 'pedro@garcia.es', 'manager');
  await db().update(team).set({ managerId: pedro.id }).where(eq(team.id, tm!.id));
  luis = await addUser('Luis Pérez', 'luis@garcia.es', 'sales', tm!.id);
  marta = await addUser('Marta Gil', 'marta@garcia.es', 'sales');
  rosa = await addContact(workspaceId, 'Rosa', 'Martín');
  jaime = await addContact(workspaceId, 'Jaime', 'Sanz');
  rosaSale = await addSale(workspaceId, rosa);
  const [other] = await db().insert(workspace).values({ name: 'Otra Tienda' }).returning();
  foreignSale = await addSale(other!.id, await addContact(other!.id, 'Ajeno', 'Otro'));
});
afterAll(async () => { await t.close(); });

describe('opening a complaint', () => {
  it('opens one from a sale, with the sale\'s client, owned by whoever records it, and starts its timeline', async () => {
    const r = await luis.c.post('/api/v1/complaints', {
      saleId: rosaSale, category: 'quality_defect', description: 'La pata del sofá cojea', dueAt: '2026-11-26T18:00:00+01:00',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      saleId: rosaSale, contactId: rosa, contactName: 'Rosa Martín', category: 'quality_defect', status: 'open',
      resolution: null, resolvedAt: null, ownerId: luis.id, ownerName: 'Luis Pérez', createdBy: luis.id,
      dueAt: '2026-11-26T17:00:00.000Z', overdue: false, version: 1,
    });
    const events = await luis.c.get(`/api/v1/complaints/${r.body.id}/events`);
    expect(events.body.data).toEqual([expect.objectContaining({ kind: 'status', fromStatus: null, toStatus: 'open', userId: luis.id, userName: 'Luis Pérez', at: T0.toISOString() })]);
  });

  it('opens one from a contact alone', async () => {
    const r = await admin.post('/api/v1/complaints', { contactId: jaime, category: 'after_sales_service', description: 'Nadie vino a montar el armario' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ contactId: jaime, saleId: null, ownerId: adminId, dueAt: null });
  });

  it('needs a contact or a sale', async () => {
    const r = await admin.post('/api/v1/complaints', { category: 'other', description: 'Algo' });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'contactId', code: 'required' });
  });

  it('answers 422 naming saleId for a sale of another workspace', async () => {
    const r = await admin.post('/api/v1/complaints', { saleId: foreignSale, category: 'durability', description: 'Se rompió' });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'saleId', code: 'not_found' })]);
  });

  it('refuses a category outside the list and a blank description, naming each', async () => {
    const r = await admin.post('/api/v1/complaints', { contactId: rosa, category: 'rudeness', description: '   ' });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['category', 'description']);
    // `required`, a code the web app translates (a bare refinement answered `custom` and its English text).
    expect(r.body.errors).toContainEqual(expect.objectContaining({ field: 'description', code: 'required' }));
  });

  it('lets only managers and admins give a complaint to someone else', async () => {
    const no = await luis.c.post('/api/v1/complaints', { contactId: rosa, category: 'other', description: 'X', ownerId: marta.id });
    expect(no.status).toBe(403);
    const yes = await pedro.c.post('/api/v1/complaints', { contactId: rosa, category: 'portability', description: 'Pesa demasiado', ownerId: marta.id });
    expect(yes.status).toBe(201);
    expect(yes.body.ownerId).toBe(marta.id);
  });
});

describe('working a complaint through its statuses', () => {
  let id: string;
  const events = async () => (await admin.get(`/api/v1/complaints/${id}/events`)).body.data as Record<string, unknown>[];

  beforeAll(async () => {
    t.setNow(T0);
    id = (await luis.c.post('/api/v1/complaints', { saleId: rosaSale, category: 'functionality', description: 'El mecanismo reclinable no funciona' })).body.id;
  });

  it('moves to in progress and writes the change on the timeline', async () => {
    t.setNow(minutesAfter(10));
    const r = await luis.c.patch(`/api/v1/complaints/${id}`, { status: 'in_progress', note: 'Llamo al técnico', version: 1 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'in_progress', version: 2 });
    expect((await events()).at(-1)).toMatchObject({ kind: 'status', fromStatus: 'open', toStatus: 'in_progress', body: 'Llamo al técnico', at: minutesAfter(10).toISOString() });
  });

  it('refuses to resolve without a resolution, and changes nothing', async () => {
    const r = await luis.c.patch(`/api/v1/complaints/${id}`, { status: 'resolved' });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'resolution', code: 'required' });
    expect((await admin.get(`/api/v1/complaints/${id}`)).body.status).toBe('in_progress');
    expect(await events()).toHaveLength(2);
  });

  it('refuses a resolution while the complaint is not being resolved', async () => {
    const r = await luis.c.patch(`/api/v1/complaints/${id}`, { resolution: 'repair' });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'resolution', code: 'only_when_resolved' });
  });

  it('resolves with a resolution, setting resolvedAt, with one timeline entry', async () => {
    t.setNow(minutesAfter(60));
    const r = await luis.c.patch(`/api/v1/complaints/${id}`, { status: 'resolved', resolution: 'home_maintenance' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'resolved', resolution: 'home_maintenance', resolvedAt: minutesAfter(60).toISOString() });
    const ev = await events();
    expect(ev).toHaveLength(3);
    expect(ev.at(-1)).toMatchObject({ kind: 'status', fromStatus: 'in_progress', toStatus: 'resolved', resolution: 'home_maintenance' });
  });

  it('corrects the resolution of a resolved complaint without a new status entry', async () => {
    const r = await luis.c.patch(`/api/v1/complaints/${id}`, { resolution: 'repair' });
    expect(r.body).toMatchObject({ status: 'resolved', resolution: 'repair', resolvedAt: minutesAfter(60).toISOString() });
    expect(await events()).toHaveLength(3);
  });

  it('reopens, clearing resolvedAt and the resolution, while the timeline keeps the history', async () => {
    t.setNow(minutesAfter(120));
    const r = await marta.c.patch(`/api/v1/complaints/${id}`, { status: 'open', note: 'La clienta vuelve a llamar' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'open', resolution: null, resolvedAt: null });
    const ev = await events();
    expect(ev.map((e) => `${String(e['fromStatus'])}→${String(e['toStatus'])}`)).toEqual(['null→open', 'open→in_progress', 'in_progress→resolved', 'resolved→open']);
    expect(ev.at(-1)).toMatchObject({ userId: marta.id, body: 'La clienta vuelve a llamar' });
  });

  it('audits each change', async () => {
    const audit = await db().select().from(auditEvent).where(and(eq(auditEvent.entity, 'complaint'), eq(auditEvent.entityId, id)));
    expect(audit.map((a) => a.action)).toEqual(['create', 'status', 'status', 'update', 'status']);
  });

  it('answers 409 with the current record to a stale version', async () => {
    const r = await luis.c.patch(`/api/v1/complaints/${id}`, { description: 'Otra cosa' }, { 'if-match': '"1"' });
    expect(r.status).toBe(409);
    expect(r.body.current.status).toBe('open');
  });

  it('adds notes to the timeline, stored exactly as typed', async () => {
    t.setNow(minutesAfter(130));
    const text = '<script>alert("x")</script> Cliente enfadada';
    const r = await pedro.c.post(`/api/v1/complaints/${id}/events`, { body: text });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'note', body: text, userId: pedro.id, userName: 'Pedro Ruiz', toStatus: null });
    const ev = await events();
    expect(ev.at(-1)).toMatchObject({ id: r.body.id, body: text });
    const blank = await pedro.c.post(`/api/v1/complaints/${id}/events`, { body: '  ' });
    expect(blank.status).toBe(422);
    expect(blank.body.errors).toEqual([expect.objectContaining({ field: 'body', code: 'required' })]);
  });

  it('answers 404 for the timeline of an unknown complaint', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await admin.get(`/api/v1/complaints/${missing}/events`)).status).toBe(404);
    expect((await admin.post(`/api/v1/complaints/${missing}/events`, { body: 'Hola' })).status).toBe(404);
  });
});

describe('listing complaints', () => {
  let late: string;
  let onTime: string;
  let settled: string;
  beforeAll(async () => {
    t.setNow(T0);
    late = (await admin.post('/api/v1/complaints', { contactId: jaime, category: 'durability', description: 'Se ha descosido', dueAt: '2026-11-23T12:00:00Z', ownerId: luis.id })).body.id;
    onTime = (await admin.post('/api/v1/complaints', { contactId: jaime, category: 'durability', description: 'Tela gastada', dueAt: '2026-11-30T12:00:00Z' })).body.id;
    settled = (await admin.post('/api/v1/complaints', { contactId: jaime, category: 'durability', description: 'Arañazo', dueAt: '2026-11-23T12:00:00Z' })).body.id;
    await admin.patch(`/api/v1/complaints/${settled}`, { status: 'resolved', resolution: 'cost_assumed' });
    // That evening the first is past due; the resolved one never is. (Sessions last 24 h, so the clock stays within the day.)
    t.setNow(new Date('2026-11-23T20:00:00Z'));
  });

  it('filters overdue: past due and not resolved', async () => {
    const r = await admin.get(`/api/v1/complaints?overdue=true&contactId=${jaime}`);
    expect(r.status).toBe(200);
    expect(r.body.data.map((c: { id: string }) => c.id)).toEqual([late]);
    expect(r.body.data[0].overdue).toBe(true);
    const notOverdue = await admin.get(`/api/v1/complaints?overdue=false&category=durability`);
    expect(notOverdue.body.data.map((c: { id: string }) => c.id).sort()).toEqual([onTime, settled].sort());
    expect((await admin.get(`/api/v1/complaints/${late}`)).body.overdue).toBe(true);
  });

  it('filters by status, category, owner, contact and sale', async () => {
    const resolved = await admin.get('/api/v1/complaints?status=resolved');
    expect(resolved.body.data.map((c: { id: string }) => c.id)).toEqual([settled]);
    const byOwner = await admin.get(`/api/v1/complaints?ownerId=${luis.id}`);
    expect(byOwner.body.data.every((c: { ownerId: string }) => c.ownerId === luis.id)).toBe(true);
    expect(byOwner.body.data.map((c: { id: string }) => c.id)).toContain(late);
    const bySale = await admin.get(`/api/v1/complaints?saleId=${rosaSale}`);
    expect(bySale.body.data.length).toBeGreaterThan(0);
    expect(bySale.body.data.every((c: { saleId: string }) => c.saleId === rosaSale)).toBe(true);
    expect((await admin.get('/api/v1/complaints?category=portability')).body.data).toHaveLength(1);
    const bad = await admin.get('/api/v1/complaints?category=rudeness');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('category');
  });

  it('is readable by every seller of the workspace, newest first, and sortable by due date', async () => {
    const r = await marta.c.get('/api/v1/complaints');
    expect(r.status).toBe(200);
    const created = r.body.data.map((c: { createdAt: string }) => c.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    const byDue = await marta.c.get(`/api/v1/complaints?sort=dueAt&contactId=${jaime}`);
    // Without a due date sorts last.
    expect(byDue.body.data.at(-1).dueAt).toBeNull();
    expect(byDue.body.data[0].dueAt).toBe('2026-11-23T12:00:00.000Z');
  });
});

describe('the API contract', () => {
  it('documents the post-sale paths in the OpenAPI document, with the glossary enums', async () => {
    const doc = (await admin.get('/api/openapi.json')).body;
    for (const p of ['/follow-ups', '/follow-ups/{id}', '/follow-ups/{id}/complete', '/feedback', '/feedback/{id}', '/feedback/summary',
      '/complaints', '/complaints/{id}', '/complaints/{id}/events', '/satisfaction-links']) {
      expect(Object.keys(doc.paths).some((k) => k.endsWith(p)), p).toBe(true);
    }
    const complaintSchema = doc.components.schemas.Complaint;
    expect(complaintSchema.properties.category.enum).toEqual(['quality_defect', 'durability', 'portability', 'after_sales_service', 'functionality', 'other']);
    expect(complaintSchema.properties.resolution.enum).toEqual(expect.arrayContaining(['replacement', 'repair', 'home_maintenance', 'substitute_product', 'cost_assumed', 'other']));
  });
});
