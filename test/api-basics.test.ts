import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, setupWorkspace, testApp, engine, type TestApp } from './harness.js';
import { latestSchemaVersion } from '../src/db/migrate.js';

let t: TestApp;
let admin: Client;
beforeAll(async () => {
  t = await testApp();
  ({ admin } = await setupWorkspace(t));
});
afterAll(async () => { await t.close(); });

describe('health and documentation', () => {
  it('reports the engine in use and the schema version', async () => {
    const r = await new Client(t).get('/api/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok', engine, schemaVersion: latestSchemaVersion(), expectedSchemaVersion: latestSchemaVersion() });
  });

  it('serves an OpenAPI 3.1 document listing the resources with their schemas', async () => {
    const r = await new Client(t).get('/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    expect(Object.keys(r.body.paths)).toContain('/companies/{id}');
    expect(r.body.components.schemas.CompanyInput.required).toContain('name');
  });

  it('serves an interactive documentation page with its assets locally', async () => {
    const page = await t.app.request('/api/docs');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui-bundle.js');
    const js = await t.app.request('/api/docs/assets/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
  });

  it('answers unknown API routes with a problem, not the web app', async () => {
    const r = await admin.get('/api/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('companies CRUD and bad input', () => {
  it('creates, reads, updates with the version and deletes a company', async () => {
    const created = await admin.post('/api/v1/companies', { name: 'Cocinas Turia', sector: 'Hostelería', city: 'València', customFields: {} });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    const id = created.body.id;
    const got = await admin.get(`/api/v1/companies/${id}`);
    expect(got.body).toMatchObject({ name: 'Cocinas Turia', sector: 'Hostelería', version: 1, status: 'active' });
    const upd = await admin.patch(`/api/v1/companies/${id}`, { employees: 12, version: 1 });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ employees: 12, version: 2, name: 'Cocinas Turia' });
    expect((await admin.del(`/api/v1/companies/${id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/companies/${id}`)).status).toBe(404);
  });

  it('refuses a stale version with 409 and returns the current record', async () => {
    const { body } = await admin.post('/api/v1/companies', { name: 'Versión SL' });
    await admin.patch(`/api/v1/companies/${body.id}`, { sector: 'A', version: 1 });
    const stale = await admin.patch(`/api/v1/companies/${body.id}`, { sector: 'B' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('version_conflict');
    expect(stale.body.current).toMatchObject({ sector: 'A', version: 2 });
    expect((await admin.get(`/api/v1/companies/${body.id}`)).body.sector).toBe('A');
  });

  it('names every bad field with its reason', async () => {
    const r = await admin.post('/api/v1/companies', { name: '', employees: -3, email: 'not-an-email' });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const fields = r.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['email', 'employees', 'name']);
  });

  it('reports a missing required field as required', async () => {
    const r = await admin.post('/api/v1/companies', { sector: 'x' });
    expect(r.body.errors).toContainEqual(expect.objectContaining({ field: 'name', code: 'required' }));
  });

  it('rejects unknown fields instead of dropping them', async () => {
    const r = await admin.post('/api/v1/companies', { name: 'X', colour: 'red' });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ code: 'unknown_field' });
    expect(r.body.errors[0].message).toContain('colour');
  });

  it('answers malformed JSON with a problem, not a crash', async () => {
    const r = await admin.req('POST', '/api/v1/companies', '{"name": "X",', { 'content-type': 'application/json' });
    expect(r.status).toBe(422);
    expect(r.body.status).toBe(422);
  });

  it('answers an oversized payload with 413', async () => {
    const r = await admin.post('/api/v1/companies', { name: 'x'.repeat(2 * 1024 * 1024) });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('payload_too_large');
  });

  it('answers 404 for an unknown id and 422 for a malformed one', async () => {
    expect((await admin.get('/api/v1/companies/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const bad = await admin.get('/api/v1/companies/not-a-uuid');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('id');
  });

  it('records every write as an audit event with what changed', async () => {
    const { body } = await admin.post('/api/v1/companies', { name: 'Auditada SA' });
    await admin.patch(`/api/v1/companies/${body.id}`, { city: 'Madrid' });
    const rows = await t.deps.database.query<{ action: string; changes: Record<string, unknown> }>(
      'SELECT action, changes FROM audit_event WHERE entity_id = $1 ORDER BY id', [body.id]);
    expect(rows.map((r) => r.action)).toEqual(['create', 'update']);
    expect(rows[1]!.changes).toEqual({ city: [null, 'Madrid'] });
  });
});

describe('lists', () => {
  it('searches accent- and case-insensitively and paginates with a cursor without gaps or repeats', async () => {
    for (const n of ['Ébano Muebles', 'ebanisteria Ruiz', 'Pinturas Sol', 'Ébano Dos', 'Óptica Ébano']) {
      await admin.post('/api/v1/companies', { name: n });
    }
    const found = await admin.get('/api/v1/companies?q=EBANO');
    expect(found.body.data.map((c: { name: string }) => c.name).sort()).toEqual(['Ébano Dos', 'Ébano Muebles', 'Óptica Ébano']);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { name: string }[]; nextCursor: string | null } } = await admin.get(`/api/v1/companies?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.data.map((c) => c.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = (await admin.get('/api/v1/companies?limit=500')).body.data.map((c: { name: string }) => c.name);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses an unknown sort and a tampered cursor, naming the parameter', async () => {
    expect((await admin.get('/api/v1/companies?sort=colour')).body.errors[0].field).toBe('sort');
    expect((await admin.get('/api/v1/companies?cursor=abc')).body.errors[0].field).toBe('cursor');
    expect((await admin.get('/api/v1/companies?limit=0')).body.errors[0].field).toBe('limit');
  });
});

describe('search where a list offers it', () => {
  it('finds users and products by part of their name, accent-insensitively', async () => {
    expect((await admin.get('/api/v1/users?q=garcia')).body.data.map((u: { email: string }) => u.email)).toEqual(['ana@garcia.es']);
    await admin.post('/api/v1/products', { name: 'Cocina Ébano', unitPrice: 1000 });
    await admin.post('/api/v1/products', { name: 'Sofá modular', unitPrice: 500 });
    expect((await admin.get('/api/v1/products?q=ebano')).body.data.map((p: { name: string }) => p.name)).toEqual(['Cocina Ébano']);
  });

  it('refuses q on a list that cannot search instead of ignoring it', async () => {
    const r = await admin.get('/api/v1/follow-ups?q=x');
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'q', code: 'unknown_field' });
  });
});
