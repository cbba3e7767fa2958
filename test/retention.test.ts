import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { activity, lead, sale, stage } from '../src/db/schema.js';
import { createScheduler } from '../src/jobs/index.js';
import { findJob } from '../src/db/queries/jobs.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let adminId: string;
let sales: Client;
let workspaceId: string;
let clock = new Date('2026-11-23T01:00:00Z');
let scheduler: ReturnType<typeof createScheduler>;
let openStage: { id: string; pipelineId: string };
const db = () => t.deps.database.db;
const DAY = 86_400_000;
const daysBefore = (d: number) => new Date(clock.getTime() - d * DAY);

async function newContact(firstName: string, email: string) {
  const r = await admin.post('/api/v1/contacts', { firstName, lastName: 'Secreto', email });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
async function newCompany(name: string) {
  const r = await admin.post('/api/v1/companies', { name });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
async function newLead(title: string, contactId: string | null = null) {
  const [row] = await db().insert(lead).values({
    workspaceId, title, contactId, pipelineId: openStage.pipelineId, stageId: openStage.id, probability: 10, currency: 'EUR', ownerId: adminId,
    nextActionAt: new Date('2026-12-01T10:00:00Z'), nextActionType: 'call',
  }).returning();
  return row!.id;
}
async function newActivity(o: { contactId?: string; leadId?: string; body: string }) {
  const [row] = await db().insert(activity).values({
    workspaceId, type: 'note', occurredAt: clock, body: o.body, contactId: o.contactId ?? null, leadId: o.leadId ?? null, userId: adminId,
  }).returning();
  return row!.id;
}
/** Cancels a record `days` before the test clock (the API would stamp the real time). */
async function cancelAgo(table: 'contact' | 'company' | 'lead', id: string, days: number, reason = 'duplicado') {
  await t.deps.database.query(`UPDATE ${table} SET status = 'cancelled', cancel_reason = $3, cancelled_at = $4 WHERE workspace_id = $1 AND id = $2`,
    [workspaceId, id, reason, daysBefore(days).toISOString()]);
}
const exists = async (table: string, id: string) =>
  (await t.deps.database.query(`SELECT 1 FROM ${table} WHERE workspace_id = $1 AND id = $2`, [workspaceId, id])).length === 1;
const auditOf = (entity: string, id: string) => t.deps.database.query<{ action: string; changes: Record<string, unknown>; userId: string | null }>(
  'SELECT action, changes, user_id AS "userId" FROM audit_event WHERE workspace_id = $1 AND entity = $2 AND entity_id = $3 ORDER BY id', [workspaceId, entity, id]);

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId, adminId } = await setupWorkspace(t));
  expect((await admin.post('/api/v1/users', { email: 'luis@garcia.es', name: 'Luis Pérez', role: 'sales', password: PASSWORD })).status).toBe(201);
  sales = new Client(t);
  await sales.login('luis@garcia.es', PASSWORD);
  scheduler = createScheduler(t.deps, { now: () => clock });
  const [s] = await db().select().from(stage).where(and(eq(stage.workspaceId, workspaceId), eq(stage.kind, 'open')));
  openStage = { id: s!.id, pipelineId: s!.pipelineId };
});
afterAll(async () => { await t.close(); });

describe('retention of cancelled records', () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    clock = new Date('2026-11-23T01:00:00Z');
    ids['oldContact'] = await newContact('Purgable', 'purgable@example.com');
    ids['youngContact'] = await newContact('Reciente', 'reciente@example.com');
    ids['activeContact'] = await newContact('Activo', 'activo@example.com');
    ids['oldCompany'] = await newCompany('Vieja SL');
    ids['youngCompany'] = await newCompany('Joven SL');
    ids['oldLead'] = await newLead('Venta antigua', ids['activeContact']);
    ids['youngLead'] = await newLead('Venta reciente');
    ids['openLead'] = await newLead('Venta abierta');
    ids['oldActivity'] = await newActivity({ contactId: ids['oldContact'], body: 'Llamó Purgable por su hipoteca' });
    await cancelAgo('contact', ids['oldContact']!, 366, 'ya no es cliente');
    await cancelAgo('contact', ids['youngContact']!, 364);
    await cancelAgo('company', ids['oldCompany']!, 366, 'cerrada');
    await cancelAgo('company', ids['youngCompany']!, 364);
    await cancelAgo('lead', ids['oldLead']!, 366, 'sin presupuesto');
    await cancelAgo('lead', ids['youngLead']!, 364);
  });

  it('does not run before 03:00 workspace time', async () => {
    clock = new Date('2026-11-23T01:59:00Z'); // 02:59 in Madrid
    await scheduler.tick();
    expect(await findJob(t.deps.database, workspaceId, 'retention:2026-11-23')).toBeNull();
    expect(await exists('contact', ids['oldContact']!)).toBe(true);
  });

  it('at 03:00 deletes what was cancelled 366 days ago and keeps what was cancelled 364 days ago', async () => {
    clock = new Date('2026-11-23T02:00:00Z');
    await scheduler.tick();
    expect(await findJob(t.deps.database, workspaceId, 'retention:2026-11-23')).toMatchObject({ status: 'done' });
    for (const k of ['oldContact', 'oldCompany', 'oldLead']) expect(await exists(k.slice(3).toLowerCase(), ids[k]!), k).toBe(false);
    for (const k of ['youngContact', 'youngCompany', 'youngLead']) expect(await exists(k.slice(5).toLowerCase(), ids[k]!), k).toBe(true);
    expect(await exists('contact', ids['activeContact']!)).toBe(true);
    expect(await exists('lead', ids['openLead']!)).toBe(true);
    expect(await exists('activity', ids['oldActivity']!)).toBe(false);
  });

  it('records each purge as an auditEvent with the cancel reason and without the personal data', async () => {
    const trail = await auditOf('contact', ids['oldContact']!);
    const purge = trail.find((e) => e.action === 'purge');
    expect(purge).toBeDefined();
    expect(purge!.userId).toBeNull();
    expect(purge!.changes['_meta']).toMatchObject({ cancelReason: 'ya no es cliente', activitiesDeleted: 1 });
    expect(JSON.stringify(trail)).not.toMatch(/Purgable|purgable@example\.com|Secreto/);
    // The earlier events (the creation with every field) are kept as facts but emptied of data.
    expect(trail.find((e) => e.action === 'create')?.changes).toEqual({ _scrubbed: 'purge' });
    expect(JSON.stringify(await auditOf('activity', ids['oldActivity']!))).not.toContain('hipoteca');
    expect((await auditOf('company', ids['oldCompany']!)).find((e) => e.action === 'purge')?.changes['_meta']).toMatchObject({ cancelReason: 'cerrada' });
    expect((await auditOf('lead', ids['oldLead']!)).find((e) => e.action === 'purge')?.changes['_meta']).toMatchObject({ cancelReason: 'sin presupuesto' });
  });

  it('keeps records a retention run has already judged: a second run the same day does nothing more', async () => {
    clock = new Date('2026-11-23T20:00:00Z');
    await scheduler.tick();
    expect(await exists('contact', ids['youngContact']!)).toBe(true);
    expect((await auditOf('contact', ids['oldContact']!)).filter((e) => e.action === 'purge')).toHaveLength(1);
  });

  it("follows the workspace's retentionDays setting", async () => {
    await t.deps.database.query(`UPDATE workspace SET settings = settings || '{"retentionDays": 30}' WHERE id = $1`, [workspaceId]);
    clock = new Date('2026-11-24T02:00:00Z');
    const month = await newContact('Mes', 'mes@example.com');
    const weeks = await newContact('Semanas', 'semanas@example.com');
    await cancelAgo('contact', month, 31);
    await cancelAgo('contact', weeks, 29);
    await scheduler.tick();
    expect(await exists('contact', month)).toBe(false);
    expect(await exists('contact', weeks)).toBe(true);
    expect(await exists('contact', ids['youngContact']!)).toBe(false); // 365 days is past 30
  });
});

describe('POST /api/v1/contacts/{id}/erase', () => {
  it('erases the contact, its activities and its personal data at once, keeping its leads without it', async () => {
    const contactId = await newContact('Borrable', 'borrable@example.com');
    const companyId = await newCompany('Cliente SA');
    const leadId = await newLead('Cocina nueva', contactId);
    const activityId = await newActivity({ contactId, body: 'Borrable pidió presupuesto' });
    const leadActivityId = await newActivity({ leadId, body: 'Nota del lead' });
    await db().insert(sale).values({ workspaceId, contactId, companyId, soldAt: clock, total: 100, currency: 'EUR' });
    const before = (await admin.get(`/api/v1/leads/${leadId}`)).body;

    const r = await admin.post(`/api/v1/contacts/${contactId}/erase`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ contactId, activitiesDeleted: 1, leadsDetached: 1, salesDetached: 1 });

    expect((await admin.get(`/api/v1/contacts/${contactId}`)).status).toBe(404);
    expect(await exists('activity', activityId)).toBe(false);
    expect(await exists('activity', leadActivityId)).toBe(true);
    const after = await admin.get(`/api/v1/leads/${leadId}`);
    expect(after.status).toBe(200);
    expect(after.body.contactId).toBeNull();
    expect(after.body.version).toBe(before.version + 1);

    const trail = await auditOf('contact', contactId);
    expect(trail.at(-1)).toMatchObject({ action: 'erase', userId: adminId });
    expect(trail.at(-1)!.changes['_meta']).toMatchObject({ activitiesDeleted: 1, leadIds: [leadId] });
    expect(JSON.stringify(trail)).not.toMatch(/Borrable|borrable@example\.com|Secreto/);
    expect(JSON.stringify(await auditOf('activity', activityId))).not.toContain('presupuesto');
  });

  it('is for admins only: 403 for others, and nothing is erased', async () => {
    const contactId = await newContact('Protegido', 'protegido@example.com');
    const r = await sales.post(`/api/v1/contacts/${contactId}/erase`);
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('forbidden');
    expect(await exists('contact', contactId)).toBe(true);
  });

  it('answers 404 for a contact that does not exist', async () => {
    const r = await admin.post('/api/v1/contacts/00000000-0000-4000-8000-000000000000/erase');
    expect(r.status).toBe(404);
  });

  it('also empties the snapshot of a merge the contact took part in, so undoing the merge cannot bring the erased data back', async () => {
    const keep = await newContact('Olvidada', 'olvidada@example.com');
    const gone = (await admin.post('/api/v1/contacts', { firstName: 'Olvidada', lastName: 'Secreto', phone: '+34 699 123 456', email: 'otra.olvidada@example.com' })).body.id as string;
    const m = await admin.post('/api/v1/duplicates/merge', { entity: 'contact', keepId: keep, mergeId: gone, fieldChoices: { phone: 'merge' } });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    const snapshot = async () => (await t.deps.database.query<{ s: string }>('SELECT snapshot::text AS s FROM duplicate_merge WHERE workspace_id = $1 AND id = $2', [workspaceId, m.body.id]))[0]!.s;
    expect(await snapshot()).toContain('Olvidada');

    expect((await admin.post(`/api/v1/contacts/${keep}/erase`)).status).toBe(200);
    expect(await snapshot()).toBe('{}');
    expect(await snapshot()).not.toMatch(/Olvidada|olvidada@example\.com|699 123 456/);
    const undo = await admin.post(`/api/v1/duplicates/merges/${m.body.id}/undo`);
    expect(undo.status).toBe(409);
    expect((await admin.get(`/api/v1/contacts/${keep}`)).status).toBe(404);
    expect((await auditOf('contact', keep)).at(-1)!.changes['_meta']).toMatchObject({ mergeSnapshotsForgotten: 1 });
  });

  it('refuses with 409 while a sale would be left without any customer, and erases nothing', async () => {
    const contactId = await newContact('Facturado', 'facturado@example.com');
    await db().insert(sale).values({ workspaceId, contactId, soldAt: clock, total: 50, currency: 'EUR' });
    const r = await admin.post(`/api/v1/contacts/${contactId}/erase`);
    expect(r.status).toBe(409);
    expect(r.body.errors[0]).toMatchObject({ field: 'id', code: 'has_sales_without_company' });
    expect(await exists('contact', contactId)).toBe(true);
  });
});
