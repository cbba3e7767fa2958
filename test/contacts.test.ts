import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { hashPassword } from '../src/auth/password.js';
import { appUser, auditEvent, contact, customField } from '../src/db/schema.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let adminId: string;
let luis: { id: string; c: Client };

const db = () => t.deps.database.db;
const ids = (r: { body: { data: { id: string }[] } }) => r.body.data.map((x) => x.id);
const audits = async (entityId: string) => (await db().select().from(auditEvent)
  .where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.entityId, entityId)))).map((a) => a.action);

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId, adminId } = await setupWorkspace(t));
  const [u] = await db().insert(appUser).values({ workspaceId, email: 'luis@garcia.es', name: 'Luis Pérez', role: 'sales', passwordHash: await hashPassword(PASSWORD) }).returning();
  luis = { id: u!.id, c: new Client(t) };
  await luis.c.login('luis@garcia.es', PASSWORD);
});
afterAll(async () => { await t.close(); });

describe('contacts CRUD', () => {
  it('creates a contact with the creator as owner, a lowercased email and its company name', async () => {
    const co = await luis.c.post('/api/v1/companies', { name: 'Talleres Ortega' });
    const r = await luis.c.post('/api/v1/contacts', {
      firstName: 'María', lastName: 'Ortega', secondLastName: 'Ruiz', email: 'Maria.Ortega@Talleres.ES', phone: '+34 600 111 222',
      city: 'Sevilla', postalCode: '41001', contactPreference: 'whatsapp', companyId: co.body.id,
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`/api/v1/contacts/${r.body.id}`);
    expect(r.body).toMatchObject({
      firstName: 'María', email: 'maria.ortega@talleres.es', ownerId: luis.id, companyId: co.body.id, companyName: 'Talleres Ortega',
      lifecycle: 'prospect', doNotContact: false, status: 'active', version: 1, customFields: {},
    });
    // A sales rep neither sends nor reads the sensitive profile fields (birth date…): see profile.test.ts.
    const got = await luis.c.get(`/api/v1/contacts/${r.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(r.body);
    expect(got.headers.get('etag')).toBe('"1"');
  });

  it('names each invalid field and refuses unknown ones', async () => {
    const r = await luis.c.post('/api/v1/contacts', { lastName: 'Sin nombre', email: 'not-an-email', lifecycle: 'vip', birthDate: '1980-13-45' });
    expect(r.status).toBe(422);
    const fields = r.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['birthDate', 'email', 'firstName', 'lifecycle']);
    expect(r.body.errors.find((e: { field: string }) => e.field === 'firstName').code).toBe('required');
    const unknown = await luis.c.post('/api/v1/contacts', { firstName: 'Ana', nickname: 'Anita' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0]).toMatchObject({ code: 'unknown_field' });
    const ghost = await luis.c.post('/api/v1/contacts', { firstName: 'Ana', companyId: '00000000-0000-4000-8000-000000000000' });
    expect(ghost.status).toBe(422);
    expect(ghost.body.errors).toEqual([expect.objectContaining({ field: 'companyId', code: 'not_found' })]);
  });

  it('updates with optimistic locking: a stale version answers 409 with the current contact', async () => {
    const c = await luis.c.post('/api/v1/contacts', { firstName: 'Pablo' });
    const ok = await luis.c.patch(`/api/v1/contacts/${c.body.id}`, { lastName: 'Serrano', version: 1 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ lastName: 'Serrano', version: 2 });
    const stale = await admin.patch(`/api/v1/contacts/${c.body.id}`, { lastName: 'Otro' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(409);
    expect(stale.body.current).toMatchObject({ lastName: 'Serrano', version: 2 });
    expect((await admin.get(`/api/v1/contacts/${c.body.id}`)).body.lastName).toBe('Serrano');
  });

  it('requires the workspace\'s required custom fields on create but not on a partial update', async () => {
    await db().insert(customField).values({ workspaceId, entity: 'contact', key: 'dni', label: 'DNI', type: 'text', isRequired: true });
    try {
      const missing = await luis.c.post('/api/v1/contacts', { firstName: 'Sin DNI' });
      expect(missing.status).toBe(422);
      expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'customFields.dni', code: 'required' })]);
      const ok = await luis.c.post('/api/v1/contacts', { firstName: 'Con DNI', customFields: { dni: ' 12345678Z ' } });
      expect(ok.body.customFields).toEqual({ dni: '12345678Z' });
      const patched = await luis.c.patch(`/api/v1/contacts/${ok.body.id}`, { jobTitle: 'Gerente' });
      expect(patched.status).toBe(200);
      expect(patched.body.customFields).toEqual({ dni: '12345678Z' });
    } finally {
      await db().delete(customField).where(and(eq(customField.workspaceId, workspaceId), eq(customField.key, 'dni')));
    }
  });

  it('lets a sales rep not hand a contact to someone else, and not delete', async () => {
    const c = await luis.c.post('/api/v1/contacts', { firstName: 'Rosa' });
    expect((await luis.c.patch(`/api/v1/contacts/${c.body.id}`, { ownerId: adminId })).status).toBe(403);
    expect((await luis.c.del(`/api/v1/contacts/${c.body.id}`)).status).toBe(403);
    expect((await admin.del(`/api/v1/contacts/${c.body.id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/contacts/${c.body.id}`)).status).toBe(404);
  });
});

describe('listing contacts', () => {
  it('searches names accent- and case-insensitively, and by company name', async () => {
    const co = await admin.post('/api/v1/companies', { name: 'Panadería Muñoz' });
    const g = (await admin.post('/api/v1/contacts', { firstName: 'José', lastName: 'García' })).body.id;
    const m = (await admin.post('/api/v1/contacts', { firstName: 'Elena', lastName: 'Vidal', companyId: co.body.id })).body.id;
    const e = (await admin.post('/api/v1/contacts', { firstName: 'Elvira', email: 'Elvira@Correo.es', phone: '955123456' })).body.id;
    expect(ids(await admin.get('/api/v1/contacts?q=garcia'))).toEqual([g]);
    expect(ids(await admin.get('/api/v1/contacts?q=JOSE GAR'))).toEqual([g]);
    expect(ids(await admin.get('/api/v1/contacts?q=munoz'))).toEqual([m]);
    expect(ids(await admin.get('/api/v1/contacts?q=elvira@correo'))).toEqual([e]);
    expect(ids(await admin.get('/api/v1/contacts?q=955123'))).toEqual([e]);
  });

  it('sorts by surname then first name and pages without duplicates among equal names', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await admin.post('/api/v1/contacts', { firstName: 'Juan', lastName: 'Zubiri', city: 'Pamplona' })).body.id);
    made.push((await admin.post('/api/v1/contacts', { firstName: 'Ana', lastName: 'Zubiri', city: 'Pamplona' })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { body: { data: { id: string; firstName: string }[]; nextCursor: string | null } } =
        await admin.get(`/api/v1/contacts?city=Pamplona&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...ids(r));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    expect(new Set(seen)).toEqual(new Set(made));
    expect(seen[0]).toBe(made[5]); // "zubiri ana" before "zubiri juan"
    const desc = ids(await admin.get('/api/v1/contacts?city=Pamplona&sort=-name'));
    expect(desc.at(-1)).toBe(made[5]);
  });

  it('filters by lifecycle, doNotContact, company and last activity', async () => {
    const co = await admin.post('/api/v1/companies', { name: 'Filtros SL' });
    const client = (await admin.post('/api/v1/contacts', { firstName: 'Cliente', lifecycle: 'client', companyId: co.body.id })).body.id;
    const dnc = (await admin.post('/api/v1/contacts', { firstName: 'NoLlamar', doNotContact: true, companyId: co.body.id })).body.id;
    const recent = (await admin.post('/api/v1/contacts', { firstName: 'Reciente', companyId: co.body.id })).body.id;
    await db().update(contact).set({ lastActivityAt: new Date('2026-01-10T10:00:00Z') }).where(and(eq(contact.workspaceId, workspaceId), eq(contact.id, recent)));
    await db().update(contact).set({ lastActivityAt: new Date('2025-06-01T10:00:00Z') }).where(and(eq(contact.workspaceId, workspaceId), eq(contact.id, client)));
    const base = `/api/v1/contacts?companyId=${co.body.id}`;
    expect(ids(await admin.get(`${base}&lifecycle=client`))).toEqual([client]);
    expect(ids(await admin.get(`${base}&doNotContact=true`))).toEqual([dnc]);
    // Never contacted counts as contacted before any date.
    expect(ids(await admin.get(`${base}&lastActivityBefore=2025-12-01`)).sort()).toEqual([client, dnc].sort());
    const bad = await admin.get(`${base}&doNotContact=maybe`);
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'doNotContact', code: 'invalid_boolean' });
  });
});

describe('more contact filters', () => {
  it('filters by owner, postal code, neighbourhood and creation date, and sorts by last activity', async () => {
    const mine = (await luis.c.post('/api/v1/contacts', { firstName: 'Barrio', postalCode: '28012', neighbourhood: 'Lavapiés', city: 'Madrid' })).body.id;
    const other = (await admin.post('/api/v1/contacts', { firstName: 'Barrio2', postalCode: '28013', neighbourhood: 'Sol', city: 'Madrid' })).body.id;
    const base = '/api/v1/contacts?city=Madrid';
    expect(ids(await admin.get(`${base}&ownerId=${luis.id}`))).toEqual([mine]);
    expect(ids(await admin.get(`${base}&postalCode=28013`))).toEqual([other]);
    expect(ids(await admin.get(`${base}&neighbourhood=Lavapiés,Sol`)).sort()).toEqual([mine, other].sort());
    expect(ids(await admin.get(`${base}&createdFrom=2000-01-01`)).sort()).toEqual([mine, other].sort());
    expect(ids(await admin.get(`${base}&createdTo=2000-01-01`))).toEqual([]);
    await db().update(contact).set({ lastActivityAt: new Date('2026-02-01T00:00:00Z') }).where(and(eq(contact.workspaceId, workspaceId), eq(contact.id, other)));
    expect(ids(await admin.get(`${base}&sort=-lastActivityAt`))).toEqual([other, mine]);
    expect(ids(await admin.get(`${base}&sort=lastActivityAt`))).toEqual([mine, other]);
  });
});

describe('cancelling and restoring', () => {
  it('hides a cancelled contact from lists unless asked, and restores it', async () => {
    const c = (await luis.c.post('/api/v1/contacts', { firstName: 'Cancelable', city: 'Teruel' })).body.id;
    const noReason = await luis.c.post(`/api/v1/contacts/${c}/cancel`, { reason: '  ' });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors[0].field).toBe('reason');
    const r = await luis.c.post(`/api/v1/contacts/${c}/cancel`, { reason: 'Ya no es cliente' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'cancelled', cancelReason: 'Ya no es cliente', version: 2 });
    expect(r.body.cancelledAt).not.toBeNull();
    expect(ids(await luis.c.get('/api/v1/contacts?city=Teruel'))).toEqual([]);
    expect(ids(await luis.c.get('/api/v1/contacts?city=Teruel&includeCancelled=true'))).toEqual([c]);
    expect(ids(await luis.c.get('/api/v1/contacts?city=Teruel&status=cancelled'))).toEqual([c]);
    expect((await luis.c.post(`/api/v1/contacts/${c}/cancel`, { reason: 'Otra' })).status).toBe(409);
    const stale = await luis.c.post(`/api/v1/contacts/${c}/restore`, { version: 1 });
    expect(stale.status).toBe(409);
    const back = await luis.c.post(`/api/v1/contacts/${c}/restore`, { version: 2 });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'active', cancelReason: null, cancelledAt: null });
    expect((await luis.c.post(`/api/v1/contacts/${c}/restore`)).status).toBe(409);
    expect(ids(await luis.c.get('/api/v1/contacts?city=Teruel'))).toEqual([c]);
    expect(await audits(c)).toEqual(['create', 'cancel', 'restore']);
  });

  it('does the same for companies', async () => {
    const co = (await luis.c.post('/api/v1/companies', { name: 'Empresa Cancelable', city: 'Soria' })).body.id;
    const r = await luis.c.post(`/api/v1/companies/${co}/cancel`, { reason: 'Cerró' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'cancelled', cancelReason: 'Cerró' });
    expect(ids(await luis.c.get('/api/v1/companies?city=Soria'))).toEqual([]);
    expect(ids(await luis.c.get('/api/v1/companies?city=Soria&includeCancelled=true'))).toEqual([co]);
    expect((await luis.c.post(`/api/v1/companies/${co}/cancel`, {})).status).toBe(422);
    const back = await luis.c.post(`/api/v1/companies/${co}/restore`);
    expect(back.body.status).toBe('active');
    expect(await audits(co)).toEqual(['create', 'cancel', 'restore']);
    expect((await luis.c.post('/api/v1/companies/00000000-0000-4000-8000-000000000000/cancel', { reason: 'x' })).status).toBe(404);
  });
});
