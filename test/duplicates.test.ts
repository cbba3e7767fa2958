import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDuplicateCandidates, type ContactValues, type CompanyValues } from '../src/db/queries/duplicates.js';
import { Client, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId } = await setupWorkspace(t));
});
afterAll(async () => { await t.close(); });

const find = (entity: 'contact' | 'company', values: ContactValues | CompanyValues, excludeIds: string[] = []) =>
  t.deps.database.transaction((tx) => findDuplicateCandidates(tx, workspaceId, entity, values, { excludeIds }));

async function newContact(body: Record<string, unknown>, c: Client = admin): Promise<string> {
  const r = await c.post('/api/v1/contacts', body);
  if (r.status !== 201) throw new Error(`contact: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
}
async function newCompany(body: Record<string, unknown>, c: Client = admin): Promise<string> {
  const r = await c.post('/api/v1/companies', body);
  if (r.status !== 201) throw new Error(`company: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
}

describe('duplicate detection', () => {
  it('finds "garcia" for "García" whatever the accents and case, as a name match', async () => {
    const id = await newContact({ firstName: 'José', lastName: 'García', secondLastName: 'Núñez' });
    const found = await find('contact', { firstName: 'jose', lastName: 'garcia', secondLastName: 'nuñez' });
    expect(found[0]).toMatchObject({ id, reasons: ['name'] });
    expect(found[0]!.score).toBeGreaterThanOrEqual(45);
    expect(found[0]!.record).toMatchObject({ firstName: 'José', lastName: 'García' });
  });

  it('matches the same email whatever its case', async () => {
    const id = await newContact({ firstName: 'Lucía', lastName: 'Benítez', email: 'lucia.benitez@ejemplo.es' });
    const found = await find('contact', { firstName: 'Otra', email: 'Lucia.Benitez@EJEMPLO.es' });
    expect(found).toEqual([expect.objectContaining({ id, reasons: ['email'], score: 90 })]);
  });

  it('matches one phone typed in different formats, national or international', async () => {
    const a = await newContact({ firstName: 'Pedro', lastName: 'Sanz', phone: '600 123 456' });
    const b = await newContact({ firstName: 'Pablo', lastName: 'Ruiz', phone: '+34600123456' });
    for (const typed of ['+34 600-12-34-56', '0034 600 123 456', '600123456']) {
      const found = await find('contact', { firstName: 'Nadie', phone: typed });
      expect(found.map((f) => f.id).sort()).toEqual([a, b].sort());
      expect(found.every((f) => f.reasons.includes('phone'))).toBe(true);
    }
  });

  it('scores a similar name in the same company above the same name elsewhere', async () => {
    const co = await newCompany({ name: 'Talleres Ortega' });
    const inCompany = await newContact({ firstName: 'Marta', lastName: 'Vidal', companyId: co });
    const elsewhere = await newContact({ firstName: 'Marta', lastName: 'Vidal' });
    const found = await find('contact', { firstName: 'Marta', lastName: 'Vidal', companyName: 'TALLERES ORTEGA' });
    expect(found.map((f) => f.id)).toEqual([inCompany, elsewhere]);
    expect(found[0]!.reasons).toEqual(['name_company']);
    const byId = await find('contact', { firstName: 'marta', lastName: 'vidal', companyId: co });
    expect(byId[0]).toMatchObject({ id: inCompany, reasons: ['name_company'] });
  });

  it('finds a company by a similar name and leaves out excluded and unrelated records', async () => {
    const id = await newCompany({ name: 'Ferretería Martínez S.L.', email: 'info@ferreteria-martinez.es' });
    const found = await find('company', { name: 'ferreteria martinez sl' });
    expect(found[0]).toMatchObject({ id, reasons: ['name'] });
    expect(await find('company', { name: 'ferreteria martinez sl' }, [id])).toEqual([]);
    expect(await find('company', { name: 'Panadería Sol' })).toEqual([]);
    expect(await find('contact', {})).toEqual([]);
  });
});
