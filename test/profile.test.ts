import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvent } from '../src/db/schema.js';
import { runLifecycle } from '../src/jobs/lifecycle.js';
import { addLoggedInUser, setupWorkspace, testApp, type Client, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let sales: { id: string; c: Client };
let manager: { id: string; c: Client };
let stages: { id: string; name: string; kind: string }[];
let productA: string;
let productB: string;

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();
const stage = (name: string) => stages.find((s) => s.name === name)!.id;
const lifecycleOf = async (id: string) => (await admin.get(`/api/v1/contacts/${id}`)).body.lifecycle as string;
const newContact = async (body: Record<string, unknown> = {}) => (await admin.post('/api/v1/contacts', { firstName: 'Cliente', ...body })).body.id as string;
const newLead = async (contactId: string, body: Record<string, unknown> = {}) =>
  (await admin.post('/api/v1/leads', { title: 'Sofá', contactId, nextActionAt: inDays(2), nextActionType: 'call', ...body })).body;
const sell = async (contactId: string, body: Record<string, unknown> = {}) =>
  (await admin.post('/api/v1/sales', { contactId, lines: [{ productId: productA, quantity: 1 }], ...body })).body.id as string;

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId } = await setupWorkspace(t));
  sales = await addLoggedInUser(t, workspaceId, { name: 'Luis', email: 'luis@garcia.es', role: 'sales' });
  manager = await addLoggedInUser(t, workspaceId, { name: 'Marta', email: 'marta@garcia.es', role: 'manager' });
  await admin.patch('/api/v1/workspace', { timeZone: 'Europe/Madrid' });
  stages = (await admin.get('/api/v1/pipelines')).body.data[0].stages;
  productA = (await admin.post('/api/v1/products', { name: 'Sofá Nórdico', unitPrice: 900 })).body.id;
  productB = (await admin.post('/api/v1/products', { name: 'Cojín', unitPrice: 20 })).body.id;
});
afterAll(async () => { await t.close(); });

describe('profile fields', () => {
  it('stores occupation, marital status, best time to contact and shows the age from the birth date', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid' }).format(new Date());
    const birthDate = `${Number(today.slice(0, 4)) - 40}${today.slice(4)}`; // 40 today, in Madrid
    const r = await admin.post('/api/v1/contacts', {
      firstName: 'Rosa', occupation: '  Enfermera ', maritalStatus: 'married', bestTimeToContact: 'midday', contactPreference: 'phone',
      birthDate, city: 'Sevilla', region: 'Sevilla', country: 'ES',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ occupation: 'Enfermera', maritalStatus: 'married', bestTimeToContact: 'midday', contactPreference: 'phone', age: 40 });
    const bad = await admin.post('/api/v1/contacts', { firstName: 'X', bestTimeToContact: 'night' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('bestTimeToContact');
  });
});

describe('lifecycle', () => {
  it('is derived from leads and sales in the same transaction as each write', async () => {
    const id = await newContact();
    expect(await lifecycleOf(id)).toBe('prospect');
    const lead = await newLead(id); // first stage, probability 10
    expect(await lifecycleOf(id)).toBe('prospect');
    await admin.post(`/api/v1/leads/${lead.id}/move`, { stageId: stage('Templado') });
    expect(await lifecycleOf(id)).toBe('potential');
    await admin.post(`/api/v1/leads/${lead.id}/move`, { stageId: stage('Perdido'), lostReason: 'Precio' });
    expect(await lifecycleOf(id)).toBe('prospect');
    await newLead(id, { probability: 55 });
    expect(await lifecycleOf(id)).toBe('potential');
    expect((await admin.get('/api/v1/contacts?lifecycle=potential')).body.data.map((c: { id: string }) => c.id)).toContain(id);
    const saleId = await sell(id);
    expect(await lifecycleOf(id)).toBe('client');
    expect((await admin.del(`/api/v1/sales/${saleId}`)).status).toBe(204);
    expect(await lifecycleOf(id)).toBe('potential');
    const changes = await t.deps.database.db.select({ action: auditEvent.action }).from(auditEvent)
      .where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.entityId, id), eq(auditEvent.action, 'lifecycle')));
    expect(changes.length).toBe(5);
  });

  it('makes a contact whose last purchase is older than the setting a former client, nightly', async () => {
    const old = await newContact();
    await sell(old, { soldAt: ago(600) });
    expect(await lifecycleOf(old)).toBe('former');
    const recent = await newContact();
    await sell(recent, { soldAt: ago(30 * 17) });
    expect(await lifecycleOf(recent)).toBe('client');
    // Two months later the nightly pass turns it former; run again, it changes nothing.
    const later = new Date(Date.now() + 61 * DAY);
    expect(await runLifecycle(t.deps, workspaceId, later)).toBeGreaterThanOrEqual(1);
    expect(await lifecycleOf(recent)).toBe('former');
    expect(await runLifecycle(t.deps, workspaceId, later)).toBe(0);
    // Lengthening the setting brings it back on the next pass.
    await admin.patch('/api/v1/workspace', { settings: { profile: { formerAfterMonths: 36 } } });
    expect(await runLifecycle(t.deps, workspaceId, later)).toBeGreaterThanOrEqual(2);
    expect(await lifecycleOf(recent)).toBe('client');
    expect(await lifecycleOf(old)).toBe('client');
    await admin.patch('/api/v1/workspace', { settings: { profile: { formerAfterMonths: 18 } } });
    await runLifecycle(t.deps, workspaceId, new Date());
  });

  it('keeps a value set by hand, visible beside the derived one, until it is cleared', async () => {
    const id = await newContact({ lifecycle: 'client' });
    let got = (await admin.get(`/api/v1/contacts/${id}`)).body;
    expect(got).toMatchObject({ lifecycle: 'client', lifecycleOverride: 'client', lifecycleDerived: 'prospect' });
    const lead = await newLead(id);
    await admin.post(`/api/v1/leads/${lead.id}/move`, { stageId: stage('Caliente') });
    expect(await lifecycleOf(id)).toBe('client');
    const cleared = await admin.patch(`/api/v1/contacts/${id}`, { lifecycle: null });
    expect(cleared.body).toMatchObject({ lifecycle: 'potential', lifecycleOverride: null, lifecycleDerived: 'potential' });
    got = (await admin.patch(`/api/v1/contacts/${id}`, { lifecycle: 'former' })).body;
    expect(got).toMatchObject({ lifecycle: 'former', lifecycleOverride: 'former' });
    expect((await admin.get(`/api/v1/contacts?lifecycle=former&q=cliente`)).body.data.map((c: { id: string }) => c.id)).toContain(id);
  });
});

describe('purchases and replies', () => {
  it('counts purchases by product with totals and the last purchase, and the email reply rate', async () => {
    const id = await newContact({ firstName: 'Elena' });
    await sell(id, { soldAt: ago(40), lines: [{ productId: productA, quantity: 1 }, { productId: productB, quantity: 2 }] });
    await sell(id, { soldAt: ago(10), lines: [{ productId: productB, quantity: 4 }] });
    const email = (direction: string, occurredAt: string) =>
      admin.post('/api/v1/activities', { type: 'email', direction, contactId: id, subject: 'Presupuesto', occurredAt });
    await email('outbound', ago(30));
    await email('inbound', ago(28)); // answers the first
    await email('outbound', ago(20)); // never answered
    await email('outbound', ago(1)); // window still open: pending
    const p = (await admin.get(`/api/v1/contacts/${id}`)).body;
    expect(p.purchases).toMatchObject({ count: 2, totals: [{ currency: 'EUR', amount: 1020 }] });
    expect(new Date(p.purchases.lastPurchaseAt).getTime()).toBeGreaterThan(Date.now() - 11 * DAY);
    expect(p.purchases.products).toEqual([
      { productId: productA, name: 'Sofá Nórdico', purchases: 1, quantity: 1, total: 900 },
      { productId: productB, name: 'Cojín', purchases: 2, quantity: 6, total: 120 },
    ]);
    expect(p.emailReplies).toEqual({ sent: 3, answered: 1, pending: 1, replyRate: 0.5, windowDays: 7 });
  });

  it('leaves the computed figures out of list pages', async () => {
    const page = (await admin.get('/api/v1/contacts?q=elena')).body.data;
    expect(page).toHaveLength(1);
    expect(page[0].purchases).toBeUndefined();
    expect(page[0].emailReplies).toBeUndefined();
  });
});

describe('sensitive fields', () => {
  let id: string;
  beforeAll(async () => {
    const f = await admin.post('/api/v1/custom-fields', { entity: 'contact', key: 'income', label: 'Ingresos', type: 'number', isSensitive: true });
    expect(f.status).toBe(201);
    await admin.post('/api/v1/custom-fields', { entity: 'contact', key: 'shoe_size', label: 'Talla', type: 'number' });
    id = await newContact({ firstName: 'Inés', lastName: 'Privada', birthDate: '1975-03-02', maritalStatus: 'divorced', occupation: 'Notaria', customFields: { income: 5000, shoe_size: 38 } });
  });

  it('are hidden from sales on read, in the list too, and shown to managers and admins', async () => {
    const mine = (await sales.c.get(`/api/v1/contacts/${id}`)).body;
    expect(mine.firstName).toBe('Inés');
    for (const f of ['birthDate', 'maritalStatus', 'occupation', 'age']) expect(mine).not.toHaveProperty(f);
    expect(mine.customFields).toEqual({ shoe_size: 38 });
    const listed = (await sales.c.get('/api/v1/contacts?q=privada')).body.data[0];
    expect(listed).not.toHaveProperty('birthDate');
    expect(listed.customFields).toEqual({ shoe_size: 38 });
    expect((await manager.c.get(`/api/v1/contacts/${id}`)).body).toMatchObject({ occupation: 'Notaria', maritalStatus: 'divorced', customFields: { income: 5000 } });
  });

  it('refuse a write by sales naming the field, and keep the stored values on their other edits', async () => {
    const r = await sales.c.patch(`/api/v1/contacts/${id}`, { occupation: 'Abogada', customFields: { income: 1 } });
    expect(r.status).toBe(403);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(['occupation', 'customFields.income']);
    const created = await sales.c.post('/api/v1/contacts', { firstName: 'Otro', birthDate: '1990-01-01' });
    expect(created.status).toBe(403);
    expect(created.body.errors[0]).toMatchObject({ field: 'birthDate', code: 'sensitive_field' });
    expect((await sales.c.patch(`/api/v1/contacts/${id}`, { jobTitle: 'Directora', customFields: { shoe_size: 39 } })).status).toBe(200);
    expect((await admin.get(`/api/v1/contacts/${id}`)).body).toMatchObject({ occupation: 'Notaria', birthDate: '1975-03-02', customFields: { income: 5000, shoe_size: 39 } });
  });

  it('are left out of the exports of sales, columns and all', async () => {
    const csv = async (c: Client) => {
      const res = await t.app.request('/api/v1/contacts/export?q=privada&lang=en&delimiter=comma', { headers: { cookie: c.cookie } });
      return (await res.text()).replace(/^\uFEFF/, '');
    };
    const theirs = await csv(sales.c);
    expect(theirs.split('\r\n')[0]).not.toMatch(/Birth date|Occupation|Marital status|Ingresos/);
    expect(theirs).not.toContain('Notaria');
    expect(theirs).toContain('Talla');
    const admins = await csv(admin);
    expect(admins.split('\r\n')[0]).toMatch(/Birth date.*Marital status.*Occupation.*Ingresos/);
    expect(admins).toContain('Notaria');
    const card = await t.app.request(`/api/v1/contacts/${id}/vcard`, { headers: { cookie: sales.c.cookie } });
    expect(await card.text()).not.toContain('BDAY');
  });

  it('are never matched by search', async () => {
    expect((await sales.c.get('/api/v1/contacts?q=notaria')).body.data).toEqual([]);
    expect((await admin.get('/api/v1/contacts?q=notaria')).body.data).toEqual([]);
    expect((await sales.c.get('/api/v1/search?q=notaria')).status).toBe(200);
    expect(JSON.stringify((await sales.c.get('/api/v1/search?q=notaria')).body)).not.toContain(id);
  });

  it('follow the admin setting of which roles see them', async () => {
    expect((await manager.c.patch('/api/v1/workspace', { settings: { profile: { sensitiveRoles: ['sales'] } } })).status).toBe(403);
    const set = await admin.patch('/api/v1/workspace', { settings: { profile: { sensitiveRoles: ['sales'] } } });
    expect(set.body.settings.profile).toMatchObject({ sensitiveRoles: ['admin', 'sales'], formerAfterMonths: 18 });
    expect((await sales.c.get(`/api/v1/contacts/${id}`)).body).toMatchObject({ occupation: 'Notaria' });
    expect((await manager.c.get(`/api/v1/contacts/${id}`)).body).not.toHaveProperty('occupation');
    await admin.patch('/api/v1/workspace', { settings: { profile: { sensitiveRoles: ['admin', 'manager'] } } });
  });

  it('are left out of the change history of a manager who may not see them, and shown to an admin', async () => {
    await admin.patch('/api/v1/workspace', { settings: { profile: { sensitiveRoles: ['sales'] } } });
    expect((await admin.patch(`/api/v1/contacts/${id}`, { occupation: 'Jueza', customFields: { income: 6000 } })).status).toBe(200);
    const history = async (c: Client) => (await c.get(`/api/v1/audit-events?entity=contact&entityId=${id}`)).body.data as { action: string; changes: Record<string, unknown> }[];
    const theirs = await history(manager.c);
    const created = theirs.find((e) => e.action === 'create')!;
    expect(created.changes).toHaveProperty('firstName');
    for (const f of ['birthDate', 'maritalStatus', 'occupation']) expect(created.changes).not.toHaveProperty(f);
    expect(created.changes['customFields']).toEqual([null, { shoe_size: 38 }]);
    expect(JSON.stringify(theirs)).not.toMatch(/Notaria|Jueza|5000|6000|1975/);
    // The edit that touched only sensitive fields is still listed: who and when are not sensitive.
    expect(theirs[0]).toMatchObject({ action: 'update', changes: {} });
    const admins = await history(admin);
    expect(admins[0]!.changes).toMatchObject({ occupation: ['Notaria', 'Jueza'], customFields: [{ income: 5000, shoe_size: 39 }, { income: 6000, shoe_size: 39 }] });
    await admin.patch('/api/v1/workspace', { settings: { profile: { sensitiveRoles: ['admin', 'manager'] } } });
  });

  it('cannot be required, and only contact fields can be sensitive', async () => {
    const r = await admin.post('/api/v1/custom-fields', { entity: 'contact', key: 'religion', label: 'R', type: 'text', isSensitive: true, isRequired: true });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'isRequired', code: 'sensitive_required' });
    const lead = await admin.post('/api/v1/custom-fields', { entity: 'lead', key: 'secret', label: 'S', type: 'text', isSensitive: true });
    expect(lead.status).toBe(422);
  });
});
