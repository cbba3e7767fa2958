import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';
import { createWorkspace } from '../src/db/queries/workspaces.js';
import { hashPassword } from '../src/auth/password.js';

let t: TestApp;
let admin: Client;
let manager: Client;
let sales: Client;
let other: Client;

async function addUser(role: 'manager' | 'sales', email: string): Promise<Client> {
  const r = await admin.post('/api/v1/users', { email, name: email, role, password: PASSWORD });
  if (r.status !== 201) throw new Error(`user: ${r.status} ${JSON.stringify(r.body)}`);
  const c = new Client(t);
  await c.login(email, PASSWORD);
  return c;
}
const fieldOf = (body: { errors?: { field: string; code: string }[] }) => body.errors?.map((e) => `${e.field}:${e.code}`) ?? [];

beforeAll(async () => {
  t = await testApp();
  ({ admin } = await setupWorkspace(t));
  manager = await addUser('manager', 'marta@garcia.es');
  sales = await addUser('sales', 'sergio@garcia.es');
  await createWorkspace(t.deps.database, {
    workspaceName: 'Otra', currency: 'EUR', timeZone: 'Europe/Madrid', locale: 'es', defaultCountry: 'ES',
    admin: { name: 'Olga', email: 'olga@otra.es', passwordHash: await hashPassword(PASSWORD) },
  }, { onlyIfFirst: false });
  other = new Client(t);
  await other.login('olga@otra.es', PASSWORD);
});
afterAll(async () => { await t.close(); });

describe('custom field definitions', () => {
  const ids: Record<string, string> = {};

  it('lets an admin define fields of each type, and everyone read them in order', async () => {
    for (const [i, def] of [
      { entity: 'company', key: 'budget', label: 'Presupuesto', type: 'number' },
      { entity: 'company', key: 'tier', label: 'Nivel', type: 'choice', options: ['oro', 'plata'] },
      { entity: 'company', key: 'visit_date', label: 'Visita', type: 'date' },
      { entity: 'company', key: 'notes', label: 'Notas', type: 'text' },
    ].entries()) {
      const r = await admin.post('/api/v1/custom-fields', { ...def, position: i });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ ...def, options: def.options ?? [], isRequired: false });
      ids[def.key] = r.body.id;
    }
    const list = await sales.get('/api/v1/custom-fields?entity=company');
    expect(list.status).toBe(200);
    expect(list.body.data.map((d: { key: string }) => d.key)).toEqual(['budget', 'tier', 'visit_date', 'notes']);
  });

  it('refuses definitions from managers and sales reps', async () => {
    const def = { entity: 'lead', key: 'x', label: 'X', type: 'text' };
    expect((await manager.post('/api/v1/custom-fields', def)).status).toBe(403);
    expect((await sales.post('/api/v1/custom-fields', def)).status).toBe(403);
    expect((await manager.patch(`/api/v1/custom-fields/${ids['notes']}`, { label: 'Mío' })).status).toBe(403);
    expect((await sales.del(`/api/v1/custom-fields/${ids['notes']}`)).status).toBe(403);
  });

  it('validates key, entity, type and options, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ entity: 'lead', key: 'Bad Key', label: 'X', type: 'text' }, 'key:invalid_format'],
      [{ entity: 'lead', key: '1st', label: 'X', type: 'text' }, 'key:invalid_format'],
      [{ entity: 'sale', key: 'x', label: 'X', type: 'text' }, 'entity:invalid_value'],
      [{ entity: 'lead', key: 'x', label: 'X', type: 'money' }, 'type:invalid_value'],
      [{ entity: 'lead', key: 'x', label: 'X', type: 'choice' }, 'options:required'],
      [{ entity: 'lead', key: 'x', label: 'X', type: 'choice', options: [] }, 'options:required'],
      [{ entity: 'lead', key: 'x', label: 'X', type: 'text', options: ['a'] }, 'options:not_allowed'],
    ];
    for (const [body, expected] of cases) {
      const r = await admin.post('/api/v1/custom-fields', body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(fieldOf(r.body), JSON.stringify(body)).toEqual([expected]);
    }
  });

  it('refuses a key already used by the same entity, but not by another entity', async () => {
    const dup = await admin.post('/api/v1/custom-fields', { entity: 'company', key: 'budget', label: 'Otro', type: 'text' });
    expect(dup.status).toBe(409);
    expect(fieldOf(dup.body)).toEqual(['key:taken']);
    expect((await admin.post('/api/v1/custom-fields', { entity: 'lead', key: 'budget', label: 'Presupuesto', type: 'number' })).status).toBe(201);
  });

  it('rejects a company whose custom values do not match their definitions, naming customFields.<key>', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ budget: 'mucho' }, 'customFields.budget:invalid_type'],
      [{ tier: 'bronce' }, 'customFields.tier:invalid_choice'],
      [{ visit_date: '2026-02-30' }, 'customFields.visit_date:invalid_date'],
      [{ nope: 1 }, 'customFields.nope:unknown_field'],
    ];
    for (const [customFields, expected] of cases) {
      const r = await sales.post('/api/v1/companies', { name: 'Hotel Sol', customFields });
      expect(r.status, JSON.stringify(customFields)).toBe(422);
      expect(fieldOf(r.body), JSON.stringify(customFields)).toEqual([expected]);
    }
    const ok = await sales.post('/api/v1/companies', { name: 'Hotel Sol', customFields: { budget: 12000, tier: 'oro', notes: '  VIP  ' } });
    expect(ok.status).toBe(201);
    expect(ok.body.customFields).toEqual({ budget: 12000, tier: 'oro', notes: 'VIP' });
  });

  it('keeps the type of a field that records use, but lets an unused one change', async () => {
    const used = await admin.patch(`/api/v1/custom-fields/${ids['budget']}`, { type: 'text' });
    expect(used.status).toBe(409);
    expect(used.body.reason).toBe('field_has_values');
    expect((await admin.get(`/api/v1/custom-fields/${ids['budget']}`)).body.type).toBe('number');
    expect((await admin.patch(`/api/v1/custom-fields/${ids['budget']}`, { label: 'Presupuesto anual', isRequired: false })).status).toBe(200);

    const unused = await admin.patch(`/api/v1/custom-fields/${ids['visit_date']}`, { type: 'text' });
    expect(unused.status).toBe(200);
    expect(unused.body.type).toBe('text');
    const toChoice = await admin.patch(`/api/v1/custom-fields/${ids['visit_date']}`, { type: 'choice' });
    expect(fieldOf(toChoice.body)).toEqual(['options:required']);
    expect((await admin.patch(`/api/v1/custom-fields/${ids['tier']}`, { type: 'text' })).status).toBe(409);
  });

  it('keeps the choice options that records hold, and lets the others go or new ones come', async () => {
    const drop = await admin.patch(`/api/v1/custom-fields/${ids['tier']}`, { options: ['plata'] });
    expect(drop.status).toBe(409);
    expect(drop.body).toMatchObject({ reason: 'option_in_use', inUse: ['oro'] });
    const r = await admin.patch(`/api/v1/custom-fields/${ids['tier']}`, { options: ['oro', 'bronce'] });
    expect(r.status).toBe(200);
    expect(r.body.options).toEqual(['oro', 'bronce']);
    const dup = await admin.patch(`/api/v1/custom-fields/${ids['tier']}`, { options: ['oro', 'oro'] });
    expect(dup.status).toBe(422);
    expect(fieldOf(dup.body)[0]).toMatch(/^options/);
  });

  it('refuses entity and key changes, which would orphan stored values', async () => {
    const r = await admin.patch(`/api/v1/custom-fields/${ids['notes']}`, { key: 'remarks' });
    expect(r.status).toBe(422);
    expect(fieldOf(r.body)).toEqual(['key:unknown_field']);
  });

  it('deletes an unused field but not one that records use', async () => {
    expect((await admin.del(`/api/v1/custom-fields/${ids['tier']}`)).status).toBe(409);
    expect((await admin.del(`/api/v1/custom-fields/${ids['visit_date']}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/custom-fields/${ids['visit_date']}`)).status).toBe(404);
  });

  it('requires a required field on create', async () => {
    expect((await admin.post('/api/v1/custom-fields', { entity: 'company', key: 'nif', label: 'NIF', type: 'text', isRequired: true })).status).toBe(201);
    const r = await sales.post('/api/v1/companies', { name: 'Sin NIF' });
    expect(r.status).toBe(422);
    expect(fieldOf(r.body)).toEqual(['customFields.nif:required']);
    expect((await sales.post('/api/v1/companies', { name: 'Con NIF', customFields: { nif: 'B12345678' } })).status).toBe(201);
  });

  it('answers 404 for a definition of another workspace, whose companies ignore ours', async () => {
    expect((await other.get(`/api/v1/custom-fields/${ids['notes']}`)).status).toBe(404);
    expect((await other.patch(`/api/v1/custom-fields/${ids['notes']}`, { label: 'X' })).status).toBe(404);
    expect((await other.del(`/api/v1/custom-fields/${ids['notes']}`)).status).toBe(404);
    expect((await other.post('/api/v1/companies', { name: 'Sin NIF allí' })).status).toBe(201);
  });
});
