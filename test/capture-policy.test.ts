import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvent, contact, lead } from '../src/db/schema.js';
import { addLoggedInUser, Client, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let sales: Client;
let workspaceId: string;
let fairId: string;
let campaignId: string;

const db = () => t.deps.database.db;
const fieldsOf = (r: { body: { errors?: { field: string; code: string }[] } }) => (r.body.errors ?? []).map((e) => `${e.field}:${e.code}`).sort();
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();
const contactsNamed = async (firstName: string) =>
  db().select().from(contact).where(and(eq(contact.workspaceId, workspaceId), eq(contact.firstName, firstName)));

async function savePolicy(over: Record<string, unknown>) {
  const current = (await admin.get('/api/v1/capture/policy')).body;
  const { version: _v, updatedAt: _u, ...policy } = current;
  const r = await admin.req('PUT', '/api/v1/capture/policy', { ...policy, ...over });
  expect(r.status).toBe(200);
  return r.body;
}

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId } = await setupWorkspace(t));
  ({ c: sales } = await addLoggedInUser(t, workspaceId, { name: 'Luis Pérez', email: 'luis@garcia.es', role: 'sales' }));
  fairId = (await admin.post('/api/v1/sources', { name: 'Feria Hábitat Valencia', kind: 'fair' })).body.id;
  campaignId = (await admin.post('/api/v1/campaigns', { name: 'Hábitat 2026', sourceId: fairId })).body.id;
});
afterAll(async () => { await t.close(); });

describe('the capture policy itself', () => {
  it('starts as the defaults with the workspace country, readable by everyone, at version 0', async () => {
    const r = await sales.get('/api/v1/capture/policy');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ required: { contact: ['firstName'], company: ['name'], lead: ['title'] }, defaultCountry: 'ES', version: 0, splitSurnames: true });
  });

  it('is saved only by an admin', async () => {
    const { version: _v, updatedAt: _u, ...policy } = (await sales.get('/api/v1/capture/policy')).body;
    const r = await sales.req('PUT', '/api/v1/capture/policy', policy);
    expect(r.status).toBe(403);
  });

  it('refuses a policy with unknown fields, naming every wrong rule by its path', async () => {
    const { version: _v, updatedAt: _u, ...policy } = (await admin.get('/api/v1/capture/policy')).body;
    const r = await admin.req('PUT', '/api/v1/capture/policy', {
      ...policy,
      required: { contact: ['firstName', 'shoeSize'], company: ['name'], lead: ['title'] },
      requiredBySource: { '11111111-1111-4111-8111-111111111111': { contact: ['phone'] } },
      casing: { 'contact.email': 'upper' },
    });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(fieldsOf(r)).toEqual(['casing.contact.email:unknown_field', 'required.contact.1:unknown_field', 'requiredBySource.11111111-1111-4111-8111-111111111111:not_found']);
    const extra = await admin.req('PUT', '/api/v1/capture/policy', { ...policy, colour: 'red' });
    expect(extra.status).toBe(422);
    expect(extra.body.errors[0]).toMatchObject({ code: 'unknown_field' });
  });

  it('is saved with a version and an audit entry, and a stale version is refused', async () => {
    const saved = await savePolicy({
      required: { contact: ['firstName', 'lastName', 'postalCode'], company: ['name'], lead: ['title'] },
      requiredBySource: { [fairId]: { contact: ['phone'], lead: ['productIds'] } },
      casing: { 'contact.lastName': 'upper', 'company.name': 'title' },
    });
    expect(saved).toMatchObject({ version: 1, casing: { 'contact.lastName': 'upper' } });
    const audits = await db().select().from(auditEvent).where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.entity, 'capturePolicy')));
    expect(audits.map((a) => a.action)).toEqual(['create']);
    const { version: _v, updatedAt: _u, ...policy } = saved;
    const stale = await admin.req('PUT', '/api/v1/capture/policy', { ...policy, splitSurnames: false, version: 0 });
    expect(stale.status).toBe(409);
  });
});

describe('every input path applies it', () => {
  it('contact create: cleans the values, and refuses a missing postal code naming the field, with the surname split suggestion', async () => {
    const bad = await sales.post('/api/v1/contacts', { firstName: '  Rosa ', lastName: 'garcía lópez', phone: '612 34 56 78' });
    expect(bad.status).toBe(422);
    expect(fieldsOf(bad)).toEqual(['postalCode:required']);
    expect(bad.body.suggestions).toEqual([{ field: 'lastName', code: 'split_surnames', values: { lastName: 'GARCÍA', secondLastName: 'LÓPEZ' } }]);
    const ok = await sales.post('/api/v1/contacts', { firstName: '  Rosa ', lastName: 'garcía', secondLastName: 'lópez', phone: '612 34 56 78', postalCode: '46001' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ firstName: 'Rosa', lastName: 'GARCÍA', phone: '+34612345678', postalCode: '46001' });
  });

  it('contact update: checks only what changes, with the stored country', async () => {
    const c = (await sales.post('/api/v1/contacts', { firstName: 'João', lastName: 'Silva', postalCode: '1000-001', country: 'PT' })).body;
    expect((await sales.patch(`/api/v1/contacts/${c.id}`, { jobTitle: 'Gerente' })).status).toBe(200);
    const bad = await sales.patch(`/api/v1/contacts/${c.id}`, { postalCode: '46001', phone: 'llámame' });
    expect(bad.status).toBe(422);
    expect(fieldsOf(bad)).toEqual(['phone:invalid_phone', 'postalCode:invalid_postal_code']);
    const cleared = await sales.patch(`/api/v1/contacts/${c.id}`, { lastName: '  ' });
    expect(fieldsOf(cleared)).toEqual(['lastName:required']);
  });

  it('company create and update: title case on the name, phone in E.164, bad postal code named', async () => {
    const co = await sales.post('/api/v1/companies', { name: 'MUEBLES   DEL  TURIA', phone: '961 23 45 67' });
    expect(co.status).toBe(201);
    expect(co.body).toMatchObject({ name: 'Muebles del Turia', phone: '+34961234567' });
    const bad = await sales.patch(`/api/v1/companies/${co.body.id}`, { postalCode: '99999' });
    expect(bad.status).toBe(422);
    expect(fieldsOf(bad)).toEqual(['postalCode:invalid_postal_code']);
  });

  it('lead create and update: the source adds its required fields', async () => {
    const base = { title: 'Sofá a medida', nextActionAt: tomorrow(), nextActionType: 'call' };
    const bad = await sales.post('/api/v1/leads', { ...base, sourceId: fairId });
    expect(bad.status).toBe(422);
    expect(fieldsOf(bad)).toEqual(['productIds:required']);
    const plain = await sales.post('/api/v1/leads', { ...base, title: '  Sofá   a medida ' });
    expect(plain.status).toBe(201);
    expect(plain.body.title).toBe('Sofá a medida');
    const product = (await admin.post('/api/v1/products', { name: 'Sofá modular' })).body.id;
    const fair = await sales.post('/api/v1/leads', { ...base, sourceId: fairId, productIds: [product] });
    expect(fair.status).toBe(201);
    const emptied = await sales.patch(`/api/v1/leads/${fair.body.id}`, { productIds: [] });
    expect(fieldsOf(emptied)).toEqual(['productIds:required']);
    expect((await sales.patch(`/api/v1/leads/${plain.body.id}`, { productIds: [] })).status).toBe(200);
  });
});

describe('the live check', () => {
  it('answers the cleaned values, the errors, the split suggestion and the likely duplicates, saving nothing', async () => {
    const existing = (await sales.post('/api/v1/contacts', { firstName: 'Marta', lastName: 'Soler', email: 'marta@soler.es', phone: '655 44 33 22', postalCode: '46002' })).body;
    const r = await sales.post('/api/v1/capture/check', {
      entity: 'contact', sourceId: fairId,
      values: { firstName: 'marta', lastName: 'soler vidal', email: ' Marta@Soler.ES ', phone: '655443322', postalCode: '' },
    });
    expect(r.status).toBe(200);
    expect(r.body.values).toMatchObject({ lastName: 'SOLER VIDAL', email: 'marta@soler.es', phone: '+34655443322', postalCode: null });
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(['postalCode']);
    expect(r.body.suggestions[0]).toMatchObject({ code: 'split_surnames', values: { lastName: 'SOLER', secondLastName: 'VIDAL' } });
    expect(r.body.duplicates[0]).toMatchObject({ id: existing.id, record: { email: 'marta@soler.es' } });
    expect(r.body.duplicates[0].reasons).toEqual(expect.arrayContaining(['email', 'phone']));
    const self = await sales.post('/api/v1/capture/check', { entity: 'contact', values: { email: 'marta@soler.es' }, excludeId: existing.id, partial: true });
    expect(self.body.duplicates).toEqual([]);
    expect(self.body.errors).toEqual([]);
  });
});

describe('one-row capture (quick-add and batch entry)', () => {
  it('creates the contact, its company by name and a lead with the source, campaign and next action in one go', async () => {
    const product = (await admin.post('/api/v1/products', { name: 'Colchón viscoelástico' })).body.id;
    const r = await sales.post('/api/v1/capture/entries', {
      contact: { firstName: 'Pilar', lastName: 'ortiz', phone: '622 11 22 33', postalCode: '46010', email: 'pilar@ortiz.es' },
      companyName: 'muebles del turia', sourceId: fairId, campaignId,
      lead: { title: 'Pilar Ortiz · Colchón', productIds: [product], nextActionAt: tomorrow(), nextActionType: 'call' },
    });
    expect(r.status).toBe(201);
    expect(r.body.contactCreated).toBe(true);
    const c = (await sales.get(`/api/v1/contacts/${r.body.contactId}`)).body;
    expect(c).toMatchObject({ lastName: 'ORTIZ', phone: '+34622112233', companyName: 'Muebles del Turia' });
    const l = (await sales.get(`/api/v1/leads/${r.body.leadId}`)).body;
    expect(l).toMatchObject({ contactId: r.body.contactId, sourceId: fairId, campaignId, productIds: [product], nextActionType: 'call', status: 'open' });
  });

  it('refuses the whole row when one part breaks the policy, naming each part, and saves nothing', async () => {
    const r = await sales.post('/api/v1/capture/entries', {
      contact: { firstName: 'Nadie', lastName: 'sin dato' },
      sourceId: fairId, lead: { nextActionAt: tomorrow(), nextActionType: 'call' },
    });
    expect(r.status).toBe(422);
    expect(fieldsOf(r)).toEqual(['contact.phone:required', 'contact.postalCode:required', 'lead.productIds:required']);
    expect(r.body.suggestions[0]).toMatchObject({ field: 'contact.lastName', code: 'split_surnames' });
    expect(await contactsNamed('Nadie')).toEqual([]);
  });

  it('"use this one" updates the existing contact with the typed values only and adds the lead to it', async () => {
    const existing = (await sales.post('/api/v1/contacts', { firstName: 'Irene', lastName: 'Mas', postalCode: '46003', jobTitle: 'Arquitecta' })).body;
    const r = await sales.post('/api/v1/capture/entries', {
      existingContactId: existing.id,
      contact: { firstName: 'Irene', lastName: 'Mas', phone: '633 00 11 22', jobTitle: '' },
      lead: { nextActionAt: tomorrow(), nextActionType: 'visit' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ contactId: existing.id, contactCreated: false });
    const c = (await sales.get(`/api/v1/contacts/${existing.id}`)).body;
    expect(c).toMatchObject({ phone: '+34633001122', jobTitle: 'Arquitecta', lastName: 'MAS', version: 2 });
    expect(await contactsNamed('Irene')).toHaveLength(1);
    const leads = await db().select().from(lead).where(and(eq(lead.workspaceId, workspaceId), eq(lead.contactId, existing.id)));
    expect(leads.map((l) => l.title)).toEqual(['Irene MAS']);
  });
});
